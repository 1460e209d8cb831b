"""Storage (a local directory through `os`, S3 through pyarrow.fs) and the file readers that feed bronze."""

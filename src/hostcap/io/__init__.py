"""Storage (local directory or S3, through pyarrow.fs) and the file readers that feed bronze."""

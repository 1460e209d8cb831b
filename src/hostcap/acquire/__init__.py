"""Acquisition: pull each source's data from where its utility publishes it, before bronze.

A source whose config names an `upstream` (an ArcGIS layer, or a web page linking to a workbook)
is fetched into its own landing location as one file, with a hidden sidecar recording where it
came from; everything after that (bronze lineage, fingerprints, skip-unchanged) sees an ordinary
file. A pull that cannot finish, or does not add up, is never landed: the last good file stays.
"""

"""The 对照考核表 in every format: csv/json/markdown (``output``), the official xlsx (``officetable``),
reading a filled table back (``importer``) and the blank year-file template (``template``)."""

"""Results out as reports: the notebooks' narrative, params files, HTML export and the batch runner."""

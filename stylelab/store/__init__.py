"""What StyleLab keeps on disk: style templates and their versions, atomic file writes, safe weight
loading, exported results, background job records and usage/rating logs."""

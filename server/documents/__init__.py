"""Documents: upload, validation, the content-addressed store, serving."""

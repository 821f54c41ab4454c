"""Cross-cutting tools every app may use: errors, the PDF renderer, browser error helpers, upload
checks, progress jobs, USCC checks, real-name submissions. The lowest layer: imports no domain app."""

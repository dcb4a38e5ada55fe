"""Articles: the domain service that the web app (`medoracle.web`) and the command line
(`medoracle.cli`) both call. `service.Site` is the entry point; the review rules are in
`workflow`, the database in `store`. Nothing here knows about HTTP or terminals."""

"""Configuration: the settings, loading with env layering and checks, the sample,
comment-keeping writes and the live editor."""

"""Public routes for viewers: status, config, ping, HLS and assets, the viewer page."""

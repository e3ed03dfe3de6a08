__version__ = "0.1.0"
VERSION = __version__

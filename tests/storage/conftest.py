"""The session's moto S3 server for the storage tests."""

from tests.s3_server import moto_s3

__all__ = ["moto_s3"]

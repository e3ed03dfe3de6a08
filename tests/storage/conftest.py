"""The session's S3 servers (moto, s3rver) for the storage tests."""

from tests.s3_server import moto_s3, s3rver

__all__ = ["moto_s3", "s3rver"]

"""Object storage backends behind :class:`owncastd.core.storage.Storage`.

local.py    LocalStorage: a directory on disk, served by the daemon's own HTTP
s3.py       S3Storage: an S3-compatible bucket (boto3 on worker threads)
s3_config.py S3Config: the `[s3]` settings checked and turned into client arguments
probe.py    a put + get + delete round trip, run before new S3 settings are accepted
"""

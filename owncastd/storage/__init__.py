"""Object storage backends behind :class:`owncastd.core.storage.Storage`.

local.py           LocalStorage: a directory on disk, served by the daemon's own HTTP
s3.py              S3Storage: an S3-compatible bucket (boto3 on worker threads)
s3_config.py       S3Config: the `[s3]` settings as the client and the URLs need them
probe.py           a put + get + delete round trip of a probe object
settings_check.py  `s3_storage(settings)` (the configured bucket or None) and the round
                   trip new S3 settings must pass before the config editor saves them
"""

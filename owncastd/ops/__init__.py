"""Running owncastd as an appliance: the data-directory lock, configuration reload, health,
disk checks and backups.

    lock.py     DataDirLock: one daemon (or restore) per data directory, via fcntl.flock
    reload.py   ConfigReloader: SIGHUP / admin route → re-read owncast.toml, apply what can be
    health.py   Health: what GET /api/healthz reports (parts up/down, degraded reasons)
    disk.py     DiskMonitor: free-space and write probes of the data, database and log dirs
    backup.py   create_backup / restore_backup archives and the daily BackupScheduler
    unit.py     the systemd unit rendered for `owncastd install-service`
    file_modes.py  umask 077 at start; tightens an open data directory and database
"""

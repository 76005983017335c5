version
hostinfo
--json hostinfo

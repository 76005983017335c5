x/4gx 0xffffff80003ffff0
x/2gx 0xffffff8000400000

"""The office's web console: served by nhacviec on the personal page's address under /console/."""

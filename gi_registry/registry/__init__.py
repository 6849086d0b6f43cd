"""The public registry: directory of legal users, producer records, announcements, photos."""

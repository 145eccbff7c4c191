"""The email reactor's revisions (``reactor_email`` branch), named by its declaration."""

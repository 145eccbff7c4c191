"""The analytics reactor's revisions (``reactor_analytics`` branch), named by its declaration."""

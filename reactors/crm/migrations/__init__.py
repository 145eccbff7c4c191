"""The crm reactor's revisions (``reactor_crm`` branch), named by its declaration."""

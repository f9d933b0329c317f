# handlers/ui.mk: the admin UI sources (templates, pages)

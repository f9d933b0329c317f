/* fcgi/mail.h: one plain-text email through the SMTP server of One API's
 * options (SMTPServer, SMTPPort, SMTPAccount, SMTPToken, SMTPFrom) */
#ifndef GW_MAIL_H
#define GW_MAIL_H

#include "arena.h"
#include "err.h"

/* 1 when SMTPServer is set. */
int mail_configured(void);

/* Send subject and text (ASCII or UTF-8; lines end in "\n") to one
 * address. Port 465 is SMTPS; others use STARTTLS when the server offers
 * it; with SMTPAccount set it logs in with SMTPToken. GW_OK, GW_EINPUT
 * (no server, or an address with CR, LF, '<' or '>'), or GW_EUPSTREAM. */
int mail_send(struct arena *a, const char *to, const char *subject, const char *text) GW_WUR;

#endif

/* fcgi/server.h: serving FastCGI on the event loop, or one CGI request */
#ifndef GW_SERVER_H
#define GW_SERVER_H

/* Serve FastCGI on listen_fd with the loop and threads workers until
 * SIGTERM/SIGINT, then finish the requests in flight (bounded by
 * SHUTDOWN_TIMEOUT_SEC). Returns 0 on a clean stop. Call from main. */
int serve_fcgi(int listen_fd, int threads);
/* Serve exactly one CGI request from the environment and stdin/stdout. */
int serve_cgi(void);

#endif

// txload: a lean RESP load generator for transactions, run against kvs-server and Redis alike
// (bench/transactions.sh). One thread, epoll, C connections, in the style of redis-benchmark.
//
//   multi: each connection keeps P transactions in flight, each MULTI, SET tx:<r> <value>,
//          INCR cnt:<r>, EXEC (r random in the key space); one transaction is done when its EXEC
//          reply (an array of 2) arrives.
//   watch: optimistic increments of hot keys: WATCH k and GET k in one write, then MULTI, SET k n+1,
//          EXEC; an EXEC answered with a null array is a conflict, counted, and the increment is tried
//          again from its WATCH. P is 1.
//
// build: gcc -O2 -o txload bench/txload.c
// usage: txload -a HOST:PORT -t multi|watch -c CLIENTS -P PIPELINE -d VALUE_BYTES -r KEYS -s SECONDS
// prints: op c=.. P=.. tps=.. p50_us=.. p99_us=.. commits=.. conflicts=.. errors=..
#define _GNU_SOURCE
#include <errno.h>
#include <sys/epoll.h>

#include "load.h"

static int watch_mode = 0, clients = 50, pipeline = 1, vsize = 16, keyspace = 100000;
static double seconds = 5;
static int port = 6379;
static uint64_t commits, conflicts, errors;

typedef struct {
  int fd;
  char out[1 << 18];
  int outlen, outoff;
  char in[1 << 18];
  int inlen;
  uint64_t sent_at[256]; // per transaction in flight
  int head, tail, inflight;
  int replies;           // replies still due for the transaction at the head (multi), or for the phase (watch)
  int phase;             // watch: 0 = WATCH+GET sent, 1 = MULTI+SET+EXEC sent
  long long value;       // watch: the value read
  int key;               // watch: the key being incremented
} conn;

static char value[1 << 16];

// The length of one whole reply at p, or 0 if it is not all there. *kind: 0 ok, 1 error, 2 null
// (a null array or bulk, RESP2 or RESP3); *num: an integer reply's or a bulk's value as a number.
static int reply(const char *p, int len, int *kind, long long *num) {
  const char *e = memchr(p, '\n', len);
  if (!e) return 0;
  int line = e - p + 1;
  *kind = 0;
  switch (p[0]) {
    case '+': return line;
    case '-': *kind = 1; return line;
    case '_': *kind = 2; return line;
    case ':': *num = atoll(p + 1); return line;
    case '$': {
      int n = atoi(p + 1);
      if (n < 0) { *kind = 2; return line; }
      if (len < line + n + 2) return 0;
      *num = atoll(p + line);
      return line + n + 2;
    }
    case '*': {
      int n = atoi(p + 1), off = line, k;
      long long x;
      if (n < 0) { *kind = 2; return line; }
      for (int i = 0; i < n; i++) {
        int used = reply(p + off, len - off, &k, &x);
        if (!used) return 0;
        if (k == 1) *kind = 1;
        off += used;
      }
      return off;
    }
    default: *kind = 1; return line;
  }
}

static int bulk(char *dst, const char *s, int n) { return sprintf(dst, "$%d\r\n%.*s\r\n", n, n, s); }

static void send_multi(conn *c) {
  char k[32], n[32];
  int r = rand() % keyspace;
  int kl = snprintf(k, sizeof k, "tx:%012d", r), nl = snprintf(n, sizeof n, "cnt:%012d", r);
  char *d = c->out + c->outlen;
  int w = sprintf(d, "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n");
  w += bulk(d + w, k, kl);
  w += bulk(d + w, value, vsize);
  w += sprintf(d + w, "*2\r\n$4\r\nINCR\r\n");
  w += bulk(d + w, n, nl);
  w += sprintf(d + w, "*1\r\n$4\r\nEXEC\r\n");
  c->outlen += w;
}

static void send_watch(conn *c) { // phase 0
  char k[32];
  int kl = snprintf(k, sizeof k, "hot:%06d", c->key);
  char *d = c->out + c->outlen;
  int w = sprintf(d, "*2\r\n$5\r\nWATCH\r\n");
  w += bulk(d + w, k, kl);
  w += sprintf(d + w, "*2\r\n$3\r\nGET\r\n");
  w += bulk(d + w, k, kl);
  c->outlen += w;
  c->phase = 0;
  c->replies = 2;
}

static void send_increment(conn *c) { // phase 1
  char k[32], n[32];
  int kl = snprintf(k, sizeof k, "hot:%06d", c->key), nl = snprintf(n, sizeof n, "%lld", c->value + 1);
  char *d = c->out + c->outlen;
  int w = sprintf(d, "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n");
  w += bulk(d + w, k, kl);
  w += bulk(d + w, n, nl);
  w += sprintf(d + w, "*1\r\n$4\r\nEXEC\r\n");
  c->outlen += w;
  c->phase = 1;
  c->replies = 3;
}

static void start_one(conn *c) {
  c->sent_at[c->tail] = now_ns();
  c->tail = (c->tail + 1) % 256;
  c->inflight++;
  if (watch_mode) {
    c->key = rand() % keyspace;
    send_watch(c);
  } else {
    send_multi(c);
  }
}

static void fill(conn *c) {
  while (c->inflight < pipeline && c->outlen + vsize + 512 < (int)sizeof c->out) start_one(c);
  if (!watch_mode && c->replies == 0) c->replies = 4;
}

static void done_one(conn *c, int measuring) {
  uint64_t lat = (now_ns() - c->sent_at[c->head]) / 1000;
  c->head = (c->head + 1) % 256;
  c->inflight--;
  if (measuring) {
    record_latency(lat, 1);
    commits++;
  }
}

// Takes the whole replies in c->in; returns 0, or -1 on a reply it cannot follow.
static int take(conn *c, int measuring) {
  int off = 0, used, kind;
  long long num = 0;
  while (c->inflight > 0 && (used = reply(c->in + off, c->inlen - off, &kind, &num)) > 0) {
    off += used;
    c->replies--;
    if (!watch_mode) {
      if (kind == 1 && measuring) errors++;
      if (c->replies == 0) { // the EXEC's
        done_one(c, measuring);
        c->replies = 4;
      }
      continue;
    }
    if (c->phase == 0) {
      if (kind == 1 && measuring) errors++;
      if (c->replies == 0) { // the GET's: the value, or none
        c->value = kind == 2 ? 0 : num;
        send_increment(c);
      }
    } else if (c->replies == 0) { // the EXEC's
      if (kind == 2) {
        if (measuring) conflicts++;
        send_watch(c); // again from the WATCH
      } else {
        if (kind == 1 && measuring) errors++;
        done_one(c, measuring);
      }
    }
  }
  memmove(c->in, c->in + off, c->inlen - off);
  c->inlen -= off;
  return 0;
}

static void flush_out(conn *c) {
  if (c->outoff < c->outlen) {
    ssize_t w = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
    if (w > 0) c->outoff += w;
  }
  if (c->outoff == c->outlen) c->outoff = c->outlen = 0;
}

int main(int argc, char **argv) {
  int o;
  while ((o = getopt(argc, argv, "a:t:c:P:d:r:s:")) != -1) {
    switch (o) {
      case 'a': if (!parse_addr(optarg, &port)) { fprintf(stderr, "txload: -a takes HOST:PORT\n"); return 2; } break;
      case 't': watch_mode = !strcmp(optarg, "watch"); break;
      case 'c': clients = atoi(optarg); break;
      case 'P': pipeline = atoi(optarg); if (pipeline > 200) pipeline = 200; break;
      case 'd': vsize = atoi(optarg); break;
      case 'r': keyspace = atoi(optarg); break;
      case 's': seconds = atof(optarg); break;
      default: fprintf(stderr, "usage: txload -a HOST:PORT -t multi|watch -c N -P N -d BYTES -r KEYS -s SECONDS\n"); return 2;
    }
  }
  if (watch_mode) pipeline = 1;
  memset(value, 'x', sizeof value);
  srand(42);
  int ep = epoll_create1(0);
  conn *cs = calloc(clients, sizeof(conn));
  for (int i = 0; i < clients; i++) {
    int fd = connect_to(port, "txload");
    if (fd < 0) return 1;
    cs[i].fd = fd;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    fill(&cs[i]);
  }
  uint64_t start = now_ns(), warm_end = start + 500000000ull, end = warm_end + (uint64_t)(seconds * 1e9);
  int measuring = 0;
  struct epoll_event evs[1024];
  while (1) {
    uint64_t t = now_ns();
    if (!measuring && t >= warm_end) { measuring = 1; start = t; }
    if (t >= end) break;
    int n = epoll_wait(ep, evs, 1024, 100);
    for (int k = 0; k < n; k++) {
      conn *c = &cs[evs[k].data.u32];
      if (evs[k].events & EPOLLOUT) flush_out(c);
      if (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ssize_t r = read(c->fd, c->in + c->inlen, sizeof c->in - c->inlen);
        if (r == 0 || (r < 0 && errno != EAGAIN)) { fprintf(stderr, "connection closed by server\n"); return 1; }
        if (r > 0) c->inlen += r;
        take(c, measuring);
        if (c->inflight == 0) fill(c);
        flush_out(c);
      }
    }
  }
  double el = (now_ns() - start) / 1e9;
  uint64_t p50, p99;
  percentiles(commits, &p50, &p99);
  printf("%s c=%d P=%d tps=%.0f p50_us=%llu p99_us=%llu commits=%llu conflicts=%llu errors=%llu\n",
         watch_mode ? "watch" : "multi", clients, pipeline, commits / el, (unsigned long long)p50, (unsigned long long)p99,
         (unsigned long long)commits, (unsigned long long)conflicts, (unsigned long long)errors);
  return 0;
}

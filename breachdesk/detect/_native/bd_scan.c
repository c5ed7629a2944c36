/* breachdesk compiled detection core: address extraction and the block scan. The Python reference is
 * breachdesk/detect/reference.py; a differential test holds them together, and every read
 * is bounds-checked against the buffer it belongs to (fuzzed with ASan). */
#include <stdlib.h>
#include <string.h>

#include "bd_scan.h"
#include "bd_text.h"

#if defined(__SSE2__)
#include <emmintrin.h>
static inline __m128i in_range(__m128i v, char lo, int n) {
    __m128i t = _mm_add_epi8(_mm_sub_epi8(v, _mm_set1_epi8(lo)), _mm_set1_epi8((char)0x80));
    return _mm_cmplt_epi8(t, _mm_set1_epi8((char)(n - 128)));
}
static inline __m128i is_b64(__m128i v) {
    __m128i m = _mm_or_si128(in_range(v, 'A', 26), in_range(v, 'a', 26));
    m = _mm_or_si128(m, in_range(v, '0', 10));
    return _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('+')),
                                        _mm_cmpeq_epi8(v, _mm_set1_epi8('/'))));
}
#endif

/* ------------------------------------------------------------------------- the scan */

enum { A_NONE = 0, A_PLAIN = 1, A_ENC = 2, A_PCT = 3 };

/* does an (encoded) '@' start at b[i]? sets *len */
static int anchor_at(const uint8_t *b, size_t i, size_t hi, size_t *len) {
    uint8_t c = b[i];
    if (c == '@') {
        *len = 1;
        return A_PLAIN;
    }
    if (c == '&') {
        size_t j = i + 1;
        while (j + 4 <= hi && memcmp(b + j, "amp;", 4) == 0) j += 4;
        if (j < hi && b[j] == '#') {
            uint32_t cp;
            size_t l = bd_entity_at(b + j - 1, hi - (j - 1), &cp);
            if (l && (cp == 0x40 || cp == 0xFF20 || cp == 0xFE6B)) {
                *len = j - 1 + l - i;
                return A_ENC;
            }
        } else if (j + 7 <= hi && memcmp(b + j, "commat;", 7) == 0) {
            *len = j + 7 - i;
            return A_ENC;
        }
        return A_NONE;
    }
    if (c == '\\') {
        size_t j = i;
        while (j < hi && b[j] == '\\') j++;
        if (j == i || j >= hi) return A_NONE;
        int32_t u = bd_u4_at(b + j - 1, hi - (j - 1));
        if (u == 0x40 || u == 0xFF20 || u == 0xFE6B) {
            *len = j + 5 - i;
            return A_ENC;
        }
        return A_NONE;
    }
    if (c == '%') {
        size_t j = i + 1;
        while (j + 2 <= hi && b[j] == '2' && b[j + 1] == '5') j += 2;
        if (j + 2 <= hi && b[j] == '4' && b[j + 1] == '0') {
            *len = j + 2 - i;
            return A_PCT;
        }
        return A_NONE;
    }
    if (c == '=') {
        if (i + 2 < hi && b[i + 1] == '4' && b[i + 2] == '0') {
            *len = 3;
            return A_ENC;
        }
        return A_NONE;
    }
    if (c == 0xEF && i + 2 < hi &&
        ((b[i + 1] == 0xBC && b[i + 2] == 0xA0) || (b[i + 1] == 0xB9 && b[i + 2] == 0xAB))) {
        *len = 3;
        return A_ENC;
    }
    return A_NONE;
}

static void add_rows(bd_record *rec, const uint32_t *rows, int k) {
    for (int i = 0; i < k; i++) {
        int seen = 0;
        for (int j = 0; j < rec->nrows; j++)
            if (rec->rows[j] == rows[i]) {
                seen = 1;
                break;
            }
        if (seen) continue;
        if (rec->nrows < BD_MAX_ROWS)
            rec->rows[rec->nrows++] = rows[i];
        else
            rec->overflow = 1;
    }
}

static void push(bd_cands *cs, uint64_t h, int64_t row, uint32_t lo, uint32_t hi, uint32_t s,
                 uint32_t e, uint32_t kind) {
    if (!cs || cs->oom) return;
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 1024;
        bd_cand *p = realloc(cs->items, cap * sizeof(bd_cand));
        if (!p) {
            cs->oom = 1;
            return;
        }
        cs->items = p;
        cs->cap = cap;
    }
    bd_cand *c = &cs->items[cs->n++];
    c->hash = h;
    c->row = row;
    c->lo = lo;
    c->hi = hi;
    c->cs = s;
    c->ce = e;
    c->kind = kind;
    c->pad = 0;
}

typedef struct {
    const bd_index *ix;
    bd_record *rec;
    bd_cands *cands;
    uint32_t line_lo, line_hi; /* for candidates: the line (absolute offsets) */
} bd_ctx;

/* hash and look up an email, through the index's small cache of recent values */
static int cached_lookup(const bd_index *ix, const uint8_t *v, size_t n, uint64_t *h, uint32_t *rows) {
    bd_cache_entry *e = NULL;
    if (ix->cache && n <= sizeof e->val) {
        /* the slot: the first and last 8 bytes and the length, mixed */
        uint64_t a, z;
        if (n >= 8) {
            a = load64(v);
            z = load64(v + n - 8);
        } else {
            uint8_t pad[8] = {0};
            memcpy(pad, v, n);
            a = load64(pad);
            z = 0;
        }
        uint64_t f = (a * 0x9E3779B97F4A7C15ULL) ^ (z * 0xC2B2AE3D27D4EB4FULL) ^ n;
        e = &ix->cache[(f >> 40) & (BD_CACHE - 1)];
        if (e->len == n && memcmp(e->val, v, n) == 0) {
            *h = e->hash;
            memcpy(rows, e->rows, e->nrows * sizeof(uint32_t));
            return e->nrows;
        }
    }
    *h = bd_hash(&ix->email, v, n);
    int k = bd_lookup_b(ix->keys, ix->rows, ix->nkeys, ix->kbucket, ix->kbits, *h, rows, 8);
    if (e && k <= 4) {
        e->hash = *h;
        e->nrows = (uint8_t)k;
        memcpy(e->rows, rows, (size_t)k * sizeof(uint32_t));
        memcpy(e->val, v, n);
        e->len = (uint8_t)n;
    }
    return k;
}

static void settle(bd_ctx *ctx, const bd_ext *x, int kind, uint32_t cs, uint32_t ce) {
    bd_record *rec = ctx->rec;
    if (x->forced) {
        rec->forced = 1;
        if (rec->nf < BD_MAX_FORCED && x->vlen + 1 < sizeof x->val) {
            /* a leading '%': the '@' was percent-encoded (try the parts after a '+') */
            size_t pre = kind == A_PCT;
            rec->fvals[rec->nf][0] = '%';
            memcpy(rec->fvals[rec->nf] + pre, x->val, x->vlen);
            rec->flen[rec->nf++] = (uint16_t)(x->vlen + pre);
        } else {
            rec->hard = 1;
        }
        push(ctx->cands, 0, -1, ctx->line_lo, ctx->line_hi, cs, ce, 4);
        return;
    }
    if (!x->ok) return;
    rec->emails++;
    uint32_t rows[8];
    uint64_t h;
    int k = cached_lookup(ctx->ix, x->val, x->vlen, &h, rows);
    if (k)
        add_rows(rec, rows, k);
    else
        rec->unknown++;
    push(ctx->cands, h, k ? (int64_t)rows[0] : -1, ctx->line_lo, ctx->line_hi, cs, ce, 1);
    if (kind == A_PCT) { /* ``q=hello+ann%40x.com``: each '+' may have been a space */
        for (size_t plus = 0; plus < x->llen; plus++) {
            if (x->val[plus] != '+') continue;
            const uint8_t *v = x->val + plus + 1;
            size_t n = x->vlen - plus - 1, ll = x->llen - plus - 1;
            if (ll == 0 || v[0] == '.' || v[0] == '+') continue;
            uint64_t h2 = bd_hash(&ctx->ix->email, v, n);
            int k2 = bd_lookup_b(ctx->ix->keys, ctx->ix->rows, ctx->ix->nkeys, ctx->ix->kbucket, ctx->ix->kbits, h2, rows, 8);
            if (k2) {
                add_rows(rec, rows, k2);
                push(ctx->cands, h2, rows[0], ctx->line_lo, ctx->line_hi, cs, ce, 1);
            }
        }
    }
}

#define WINDOW 2048
#define SMALL 256
#define MARGIN 64
#define WBUF (2 * WINDOW + 64)

/* decode [wlo, whi) and extract around the '@' that came from the anchor at ``at``;
   returns 0 when the address may reach past a window edge (try a wider one) */
static int decode_window(bd_ctx *ctx, const uint8_t *b, size_t lo, size_t hi, size_t wlo,
                         size_t whi, size_t at, int kind, uint32_t base, int last) {
    uint8_t in[WBUF], out[WBUF];
    uint32_t imap[WBUF], omap[WBUF];
    size_t n = whi - wlo;
    memcpy(in, b + wlo, n);
    for (size_t i = 0; i < n; i++) imap[i] = (uint32_t)(wlo + i);
    size_t len = n;
    for (int pass = 0; pass < 3; pass++) {
        int changed = 0;
        len = bd_decode_pass(in, len, imap, out, omap, &changed);
        memcpy(in, out, len);
        memcpy(imap, omap, len * sizeof(uint32_t));
        if (!changed) break;
    }
    /* the decoded '@' that came from the anchor */
    size_t l = 0, r = len;
    while (l < r) {
        size_t m = (l + r) / 2;
        if (imap[m] < at)
            l = m + 1;
        else
            r = m;
    }
    if (l >= len || imap[l] != at || in[l] != '@') return 1;
    bd_ext x;
    bd_extract(in, 0, len, l, &x);
    size_t rs = x.s < len ? imap[x.s] : whi, re = x.e < len ? imap[x.e] : whi;
    if (!last && ((wlo > lo && rs < wlo + MARGIN) || (whi < hi && re + MARGIN > whi))) return 0;
    settle(ctx, &x, kind, base + (uint32_t)rs, base + (uint32_t)re);
    return 1;
}

static void decode_path(bd_ctx *ctx, const uint8_t *b, size_t lo, size_t hi, size_t at,
                        size_t alen, int kind, uint32_t base) {
    size_t wlo = at > lo + SMALL ? at - SMALL : lo;
    size_t whi = (hi - at > SMALL + alen) ? at + alen + SMALL : hi;
    if (decode_window(ctx, b, lo, hi, wlo, whi, at, kind, base, 0)) return;
    wlo = at > lo + WINDOW ? at - WINDOW : lo;
    whi = (hi - at > WINDOW + alen) ? at + alen + WINDOW : hi;
    decode_window(ctx, b, lo, hi, wlo, whi, at, kind, base, 1);
}

static void phone_at(bd_ctx *ctx, const uint8_t *b, size_t i, size_t hi, size_t *next, uint32_t base) {
    *next = i + 1;
    if (i + 1 >= hi || b[i + 1] < '1' || b[i + 1] > '9') return;
    size_t j = i + 2, last = 0;
    int k = 0;
    while (j < hi && k < 23) {
        uint8_t c = b[j];
        if (c >= '0' && c <= '9')
            last = j;
        else if (!(c == ' ' || c == '.' || c == '(' || c == ')' || c == '-'))
            break;
        j++;
        k++;
    }
    if (!last || last < i + 2 + 5) return;
    size_t end = last + 1;
    uint8_t e164[24];
    size_t n = 0;
    e164[n++] = '+';
    for (size_t p = i + 1; p < end && n < sizeof e164; p++)
        if (b[p] >= '0' && b[p] <= '9') e164[n++] = b[p];
    *next = end;
    if (n - 1 < 7 || n - 1 > 15) return;
    uint32_t rows[8];
    uint64_t h = bd_hash(&ctx->ix->phone, e164, n);
    int found = bd_lookup_b(ctx->ix->keys, ctx->ix->rows, ctx->ix->nkeys, ctx->ix->kbucket, ctx->ix->kbits, h, rows, 8);
    if (found) add_rows(ctx->rec, rows, found);
    push(ctx->cands, h, found ? (int64_t)rows[0] : -1, ctx->line_lo, ctx->line_hi, base + (uint32_t)i,
         base + (uint32_t)end, 2);
}

static const int8_t *b64_table(void) {
    static int8_t t[256];
    static int ready = 0;
    if (!ready) {
        const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        memset(t, -1, sizeof t);
        for (int i = 0; i < 64; i++) t[(uint8_t)a[i]] = (int8_t)i;
        ready = 1;
    }
    return t;
}

static void scan_span(bd_ctx *ctx, const uint8_t *b, size_t lo, size_t hi, int depth, uint32_t base);

/* the end of the run of base64 characters that starts at b[j], within [j, hi) */
static size_t b64_run_end(const int8_t *t, const uint8_t *b, size_t j, size_t hi) {
#if defined(__SSE2__)
    while (hi - j >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + j));
        unsigned m = (unsigned)_mm_movemask_epi8(is_b64(v)) ^ 0xFFFFu;
        if (m) return j + (size_t)__builtin_ctz(m);
        j += 16;
    }
#endif
    while (j < hi && t[b[j]] >= 0) j++;
    return j;
}

/* decode n base64 characters (all valid, n % 4 != 1) at in to out; returns the bytes written */
static size_t b64_decode(const int8_t *t, const uint8_t *in, size_t n, uint8_t *out) {
    size_t o = 0, k = 0;
    for (; k + 4 <= n; k += 4) {
        uint32_t v = (uint32_t)t[in[k]] << 18 | (uint32_t)t[in[k + 1]] << 12 |
                     (uint32_t)t[in[k + 2]] << 6 | (uint32_t)t[in[k + 3]];
        out[o++] = (uint8_t)(v >> 16);
        out[o++] = (uint8_t)(v >> 8);
        out[o++] = (uint8_t)v;
    }
    if (n - k >= 2) {
        uint32_t v = (uint32_t)t[in[k]] << 18 | (uint32_t)t[in[k + 1]] << 12;
        if (n - k == 3) v |= (uint32_t)t[in[k + 2]] << 6;
        out[o++] = (uint8_t)(v >> 16);
        if (n - k == 3) out[o++] = (uint8_t)(v >> 8);
    }
    return o;
}

/* a JSON string that is all base64 (>= 24 characters): decode it and scan what it holds */
static void b64_field(bd_ctx *ctx, const uint8_t *b, size_t q, size_t hi, int depth, uint32_t base) {
    const int8_t *t = b64_table();
    size_t j = b64_run_end(t, b, q + 1, hi);
    size_t L = j - (q + 1);
    if (L < 24) return;
    size_t pad = 0;
    while (j < hi && b[j] == '=' && pad < 2) {
        j++;
        pad++;
    }
    if (!(j < hi && (b[j] == '"' || (b[j] == '\\' && j + 1 < hi && b[j + 1] == '"')))) return;
    if (!(((L + pad) % 4 == 0) || (pad == 0 && L % 4 != 1))) return;
    uint8_t *out = malloc(L / 4 * 3 + 3);
    if (!out) return;
    /* the first 88 characters (66 bytes) first: a binary payload stops there */
    size_t head = L > 88 ? 88 : L;
    size_t o = b64_decode(t, b + q + 1, head, out);
    /* binary payloads (images: a NUL byte in their first 64 bytes) hold no text */
    if (memchr(out, 0, o < 64 ? o : 64) != NULL) {
        free(out);
        return;
    }
    if (head < L) o += b64_decode(t, b + q + 1 + head, L - head, out + o);
    uint32_t saved_lo = ctx->line_lo, saved_hi = ctx->line_hi;
    /* candidates inside carry the field's raw span */
    bd_cands *cands = ctx->cands;
    size_t before = cands ? cands->n : 0;
    scan_span(ctx, out, 0, o, depth + 1, 0);
    if (cands)
        for (size_t k = before; k < cands->n; k++) {
            cands->items[k].cs = base + (uint32_t)(q + 1);
            cands->items[k].ce = base + (uint32_t)(q + 1 + L);
        }
    ctx->line_lo = saved_lo;
    ctx->line_hi = saved_hi;
    free(out);
}

static uint8_t TRIGGER[256];
static void init_triggers(void) {
    static int ready = 0;
    if (ready) return;
    TRIGGER['@'] = TRIGGER['&'] = TRIGGER['\\'] = TRIGGER['%'] = TRIGGER['='] = 1;
    TRIGGER['+'] = TRIGGER['"'] = TRIGGER[0xEF] = 1;
    ready = 1;
}

/* one trigger at b[i]: settle what starts there; returns where to go on */
static size_t handle(bd_ctx *ctx, const uint8_t *b, size_t i, size_t lo, size_t hi, int depth,
                     uint32_t base) {
    uint8_t c = b[i];
    if (c == '+') {
        size_t next;
        phone_at(ctx, b, i, hi, &next, base);
        return next;
    }
    if (c == '"') {
        if (depth < 2) b64_field(ctx, b, i, hi, depth, base);
        return i + 1;
    }
    size_t alen = 0;
    int kind = anchor_at(b, i, hi, &alen);
    if (kind == A_NONE) return i + 1;
    if (kind == A_PLAIN) {
        /* Most '@' on a page start no address (``@media``, ``@2x``, ``@shop``): a domain
           needs a dot. A run of domain characters without one, ended by a byte the
           decoder leaves alone, is exactly what ``bd_extract`` would reject with no
           decoding to try (dom_ok 0, right edge clean), so skip it here. */
        size_t e = i + 1;
        while (e < hi && e - (i + 1) < 255 && b[e] != '.' && is_domain(b[e])) e++;
        if (e - (i + 1) < 255) {
            if (e >= hi) return i + alen;
            uint8_t c = b[e];
            if (c < 0x80 && c != '.' && c != '\\' && c != '&' && c != '%' && c != '=')
                return i + alen;
        }
        bd_ext x;
        bd_extract(b, lo, hi, i, &x);
        int right = bd_right_needs_decode(b, hi, &x);
        /* a domain that is invalid as written and as decoded (``@media``, ``@2x``): no
           address, whatever precedes the '@' */
        if (!right && !x.dom_ok) return i + alen;
        if (!right && !bd_left_needs_decode(b, lo, &x))
            settle(ctx, &x, kind, base + (uint32_t)x.s, base + (uint32_t)x.e);
        else
            decode_path(ctx, b, lo, hi, i, alen, kind, base);
    } else {
        decode_path(ctx, b, lo, hi, i, alen, kind, base);
    }
    return i + alen;
}

#if defined(__SSE2__)
/* positions in b[0..16) where something may start; reads b[0..39) */
static inline unsigned chunk_mask(const uint8_t *b) {
    __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)b);
    __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(b + 1));
    __m128i a = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8('@')),
                                          _mm_cmpeq_epi8(v0, _mm_set1_epi8('&'))),
                             _mm_or_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8('%')),
                                          _mm_cmpeq_epi8(v0, _mm_set1_epi8('+'))));
    a = _mm_or_si128(a, _mm_cmpeq_epi8(v0, _mm_set1_epi8((char)0xEF)));
    /* '\\' only before 'u' or another '\\'; '=' only before '4' (``=40``) */
    __m128i bs = _mm_and_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8('\\')),
                               _mm_or_si128(_mm_cmpeq_epi8(v1, _mm_set1_epi8('u')),
                                            _mm_cmpeq_epi8(v1, _mm_set1_epi8('\\'))));
    __m128i eq = _mm_and_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8('=')),
                               _mm_cmpeq_epi8(v1, _mm_set1_epi8('4')));
    a = _mm_or_si128(a, _mm_or_si128(bs, eq));
    /* '"' only where a base64 run of 24 could follow */
    __m128i q = _mm_cmpeq_epi8(v0, _mm_set1_epi8('"'));
    if (_mm_movemask_epi8(q)) {
        __m128i v12 = _mm_loadu_si128((const __m128i *)(const void *)(b + 12));
        __m128i v23 = _mm_loadu_si128((const __m128i *)(const void *)(b + 23));
        q = _mm_and_si128(q, _mm_and_si128(is_b64(v1), _mm_and_si128(is_b64(v12), is_b64(v23))));
        a = _mm_or_si128(a, q);
    }
    return (unsigned)_mm_movemask_epi8(a);
}
#define HAVE_CHUNKS 1
#endif

#if defined(HAVE_CHUNKS) && defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2")))
AVX2 static inline __m256i in_range32(__m256i v, char lo, int n) {
    __m256i t = _mm256_add_epi8(_mm256_sub_epi8(v, _mm256_set1_epi8(lo)), _mm256_set1_epi8((char)0x80));
    return _mm256_cmpgt_epi8(_mm256_set1_epi8((char)(n - 128)), t);
}
AVX2 static inline __m256i is_b64_32(__m256i v) {
    __m256i m = _mm256_or_si256(in_range32(v, 'A', 26), in_range32(v, 'a', 26));
    m = _mm256_or_si256(m, in_range32(v, '0', 10));
    return _mm256_or_si256(m, _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('+')),
                                              _mm256_cmpeq_epi8(v, _mm256_set1_epi8('/'))));
}
/* positions in b[0..32) where something may start, but for '"'; reads b[0..33) */
AVX2 static inline unsigned chunk_mask32(const uint8_t *b) {
    __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)b);
    __m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(b + 1));
    __m256i a = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v0, _mm256_set1_epi8('@')),
                                                 _mm256_cmpeq_epi8(v0, _mm256_set1_epi8('&'))),
                                _mm256_or_si256(_mm256_cmpeq_epi8(v0, _mm256_set1_epi8('%')),
                                                _mm256_cmpeq_epi8(v0, _mm256_set1_epi8('+'))));
    a = _mm256_or_si256(a, _mm256_cmpeq_epi8(v0, _mm256_set1_epi8((char)0xEF)));
    __m256i bs = _mm256_and_si256(_mm256_cmpeq_epi8(v0, _mm256_set1_epi8('\\')),
                                  _mm256_or_si256(_mm256_cmpeq_epi8(v1, _mm256_set1_epi8('u')),
                                                  _mm256_cmpeq_epi8(v1, _mm256_set1_epi8('\\'))));
    __m256i eq = _mm256_and_si256(_mm256_cmpeq_epi8(v0, _mm256_set1_epi8('=')),
                                  _mm256_cmpeq_epi8(v1, _mm256_set1_epi8('4')));
    a = _mm256_or_si256(a, _mm256_or_si256(bs, eq));
    return (unsigned)_mm256_movemask_epi8(a);
}
/* which of b[0..32) are '"' */
AVX2 static inline unsigned quotes32(const uint8_t *b) {
    __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)b);
    return (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, _mm256_set1_epi8('"')));
}
/* which of b[0..32) are base64 characters */
AVX2 static inline uint64_t b64_32(const uint8_t *b) {
    __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)b);
    return (uint32_t)_mm256_movemask_epi8(is_b64_32(v0));
}
/* bit k set where bits k..k+23 of m are all set: a base64 run of 24 starts at k */
static inline uint64_t runs24(uint64_t m) {
    uint64_t r = m & (m >> 1);
    r &= r >> 2;
    r &= r >> 4;
    r &= r >> 8;
    return r & (r >> 8);
}
static int have_avx2(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return cached;
}
#define HAVE_CHUNKS32 1
#endif

#ifdef HAVE_CHUNKS32
AVX2 static size_t scan_avx2(bd_ctx *ctx, const uint8_t *b, size_t i, size_t lo, size_t hi, int depth,
                             uint32_t base) {
    /* '"' counts only where a base64 run of 24 follows (a base64 field may start): the
       base64 classes of each 32-byte chunk are computed once and carried to the next */
    uint64_t next = 0;
    size_t next_at = (size_t)-1; /* where ``next`` was computed */
    while (hi - i >= 64) {
        unsigned q = quotes32(b + i);
        size_t chunk = i;
        if (q) {
            uint64_t cur = next_at == i ? next : b64_32(b + i);
            next = b64_32(b + i + 32);
            next_at = i + 32;
            q &= (unsigned)(runs24(cur | next << 32) >> 1);
        }
        unsigned mask = chunk_mask32(b + i) | q;
        size_t resume = i;
        while (mask) {
            size_t p = chunk + (size_t)__builtin_ctz(mask);
            mask &= mask - 1;
            if (p < resume) continue;
            resume = handle(ctx, b, p, lo, hi, depth, base);
        }
        i = resume > chunk + 32 ? resume : chunk + 32;
        if (i >= hi) break;
    }
    return i;
}
#endif

static void scan_span(bd_ctx *ctx, const uint8_t *b, size_t lo, size_t hi, int depth, uint32_t base) {
    size_t i = lo;
#ifdef HAVE_CHUNKS32
    if (have_avx2()) {
        i = scan_avx2(ctx, b, i, lo, hi, depth, base);
        if (i >= hi) return;
    }
#endif
    while (i < hi) {
#ifdef HAVE_CHUNKS
        if (hi - i >= 40) {
            unsigned mask = chunk_mask(b + i);
            size_t chunk = i, resume = i;
            while (mask) {
                size_t p = chunk + (size_t)__builtin_ctz(mask);
                mask &= mask - 1;
                if (p < resume) continue;
                resume = handle(ctx, b, p, lo, hi, depth, base);
            }
            i = resume > chunk + 16 ? resume : chunk + 16;
            continue;
        }
#endif
        if (TRIGGER[b[i]])
            i = handle(ctx, b, i, lo, hi, depth, base);
        else
            i++;
    }
}

void bd_scan_record(const bd_index *ix, const uint8_t *p, size_t n, bd_record *rec,
                    bd_cands *cands, uint32_t base, uint32_t line_lo, uint32_t line_hi) {
    init_triggers();
    bd_ctx ctx = {ix, rec, cands, line_lo, line_hi};
    scan_span(&ctx, p, 0, n, 0, base);
}

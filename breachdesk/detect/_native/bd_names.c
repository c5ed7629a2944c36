/* breachdesk compiled detection core: a customer's name among the words of a line (attribute). The Python reference is
 * breachdesk/detect/reference.py; a differential test holds them together, and every read
 * is bounds-checked against the buffer it belongs to (fuzzed with ASan). */
#include <stdlib.h>
#include <string.h>

#include "bd_scan.h"
#include "bd_text.h"

/* ------------------------------------------------------------------- names (attribute) */

static inline int is_word_ascii(uint8_t c) { return is_alnum(c) || c == '_'; }

/* tokens ``[A-Za-z0-9_]+`` of the two segments, lower-cased, as spans into tmp */
typedef struct {
    uint8_t text[1024];
    uint16_t start[128], len[128];
    int n;
} bd_tokens;

static int tokenise(const uint8_t *p, size_t n, bd_tokens *t, size_t *used) {
    size_t i = 0;
    while (i < n) {
        if (p[i] >= 0x80) return -1;
        if (!is_word_ascii(p[i])) {
            i++;
            continue;
        }
        size_t st = i;
        while (i < n && is_word_ascii(p[i])) i++;
        if (t->n >= 128 || *used + (i - st) > sizeof t->text) return -2;
        t->start[t->n] = (uint16_t)*used;
        t->len[t->n] = (uint16_t)(i - st);
        for (size_t k = st; k < i; k++) t->text[(*used)++] = lower(p[k]);
        t->n++;
    }
    return 0;
}

static uint32_t word_hash(const bd_index *ix, const uint8_t *w, size_t n) {
    bd_word_entry *e = NULL;
    if (ix->words && n <= sizeof e->val) {
        uint32_t f = 2166136261u;
        for (size_t i = 0; i < n; i++) f = (f ^ w[i]) * 16777619u;
        e = &ix->words[f & (BD_CACHE - 1)];
        if (e->len == n && memcmp(e->val, w, n) == 0) return e->hash;
    }
    uint32_t h = (uint32_t)(bd_hash(&ix->nameword, w, n) & 0xFFFF);
    if (e) {
        e->hash = (uint16_t)h;
        memcpy(e->val, w, n);
        e->len = (uint16_t)n;
    }
    return h;
}

int bd_name_seen(const bd_index *ix, uint32_t packed, const uint8_t *a, size_t an,
                 const uint8_t *b, size_t bn) {
    bd_tokens t;
    size_t used = 0;
    t.n = 0;
    int r = tokenise(a, an, &t, &used);
    if (r == 0) r = tokenise(b, bn, &t, &used);
    if (r == -1) return -1; /* non-ASCII: NFKC and case-folding in Python */
    if (r == -2) return -1; /* too long for here: Python decides */
    int k = (int)(packed & 0xF);
    uint32_t rest = (packed >> 4) & 0xFFF, first = packed >> 16;
    uint8_t joined[1024 + 128];
    for (int i = 0; i + k <= t.n; i++) {
        if (word_hash(ix, t.text + t.start[i], t.len[i]) != first) continue;
        size_t o = 0;
        for (int j = i; j < i + k; j++) {
            if (j > i) joined[o++] = ' ';
            memcpy(joined + o, t.text + t.start[j], t.len[j]);
            o += t.len[j];
        }
        if ((bd_hash(&ix->name, joined, o) & 0x0FFF) == rest) return 1;
    }
    return 0;
}

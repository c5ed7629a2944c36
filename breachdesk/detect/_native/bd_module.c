/* Python binding of the compiled core: ``breachdesk.detect._core`` (typed in _core.pyi). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "bd_scan.h"

typedef struct {
    PyObject_HEAD bd_index ix;
    Py_buffer keys, rows, ids, idrows, names;
    int has_keys, has_ids, has_names;
} CoreObject;

static int get_array(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, const char *what) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    if (view->itemsize != itemsize) {
        PyErr_Format(PyExc_TypeError, "%s: expected items of %zd bytes", what, itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static int Core_init(CoreObject *self, PyObject *args, PyObject *kw) {
    static char *kwnames[] = {"key", "keys", "rows", "ids", "idrows", "names", NULL};
    Py_buffer key;
    PyObject *keys, *rows, *ids = Py_None, *idrows = Py_None, *names = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "y*OO|OOO", kwnames, &key, &keys, &rows, &ids,
                                     &idrows, &names))
        return -1;
    if (key.len < 16) {
        PyBuffer_Release(&key);
        PyErr_SetString(PyExc_ValueError, "secret key must be at least 16 bytes");
        return -1;
    }
    memset(&self->ix, 0, sizeof self->ix);
    bd_index_init(&self->ix, key.buf, (size_t)key.len);
    self->ix.cache = calloc(BD_CACHE, sizeof(bd_cache_entry));
    self->ix.words = calloc(BD_CACHE, sizeof(bd_word_entry));
    if (!self->ix.cache || !self->ix.words) {
        PyBuffer_Release(&key);
        PyErr_NoMemory();
        return -1;
    }
    PyBuffer_Release(&key);
    if (get_array(keys, &self->keys, 8, "keys") < 0) return -1;
    if (get_array(rows, &self->rows, 4, "rows") < 0) {
        PyBuffer_Release(&self->keys);
        return -1;
    }
    self->has_keys = 1;
    if (self->keys.len / 8 != self->rows.len / 4) {
        PyErr_SetString(PyExc_ValueError, "keys and rows differ in length");
        return -1;
    }
    self->ix.keys = self->keys.buf;
    self->ix.rows = self->rows.buf;
    self->ix.nkeys = (size_t)(self->keys.len / 8);
    if (ids != Py_None && idrows != Py_None) {
        if (get_array(ids, &self->ids, 8, "ids") < 0) return -1;
        if (get_array(idrows, &self->idrows, 4, "idrows") < 0) {
            PyBuffer_Release(&self->ids);
            return -1;
        }
        self->has_ids = 1;
        if (self->ids.len / 8 != self->idrows.len / 4) {
            PyErr_SetString(PyExc_ValueError, "ids and idrows differ in length");
            return -1;
        }
        self->ix.ids = self->ids.buf;
        self->ix.idrows = self->idrows.buf;
        self->ix.nids = (size_t)(self->ids.len / 8);
    }
    /* bucket tables: a lookup then touches one or two cache lines of the mapped index */
    if (self->ix.nkeys > 64 && !(self->ix.kbucket = bd_buckets(self->ix.keys, self->ix.nkeys, &self->ix.kbits))) {
        PyErr_NoMemory();
        return -1;
    }
    if (self->ix.nids > 64 && !(self->ix.ibucket = bd_buckets(self->ix.ids, self->ix.nids, &self->ix.ibits))) {
        PyErr_NoMemory();
        return -1;
    }
    if (names != Py_None) {
        if (get_array(names, &self->names, 4, "names") < 0) return -1;
        self->has_names = 1;
        self->ix.names = self->names.buf;
        self->ix.nnames = (size_t)(self->names.len / 4);
    }
    return 0;
}

static void Core_dealloc(CoreObject *self) {
    free(self->ix.cache);
    free(self->ix.words);
    free(self->ix.kbucket);
    free(self->ix.ibucket);
    if (self->has_keys) {
        PyBuffer_Release(&self->keys);
        PyBuffer_Release(&self->rows);
    }
    if (self->has_ids) {
        PyBuffer_Release(&self->ids);
        PyBuffer_Release(&self->idrows);
    }
    if (self->has_names) PyBuffer_Release(&self->names);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* the ``viewer`` field of a response-log line: ``"viewer": "c-123"`` in its first 4 KB */
static int jsonl_viewer(const uint8_t *p, size_t n, const uint8_t **v, size_t *vlen) {
    static const char key[] = "\"viewer\"";
    size_t lim = n < 4096 ? n : 4096;
    for (size_t i = 0; i + 8 <= lim; i++) {
        if (p[i] != '"' || memcmp(p + i, key, 8) != 0) continue;
        size_t j = i + 8;
        while (j < n && (p[j] == ' ' || p[j] == '\t')) j++;
        if (j >= n || p[j] != ':') return 0;
        j++;
        while (j < n && (p[j] == ' ' || p[j] == '\t')) j++;
        if (j >= n || p[j] != '"') return 0;
        size_t s = ++j;
        while (j < n && j - s <= 128 && p[j] != '"' && p[j] != '\\') j++;
        if (j >= n || p[j] != '"' || j == s || j - s > 128) return 0;
        *v = p + s;
        *vlen = j - s;
        return 1;
    }
    return 0;
}

static PyObject *values_tuple(const bd_record *rec) {
    PyObject *t = PyTuple_New(rec->nf);
    if (!t) return NULL;
    for (int i = 0; i < rec->nf; i++) {
        PyObject *v = PyBytes_FromStringAndSize((const char *)rec->fvals[i], rec->flen[i]);
        if (!v) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, i, v);
    }
    return t;
}

static PyObject *rows_tuple(const bd_record *rec) {
    PyObject *t = PyTuple_New(rec->nrows);
    if (!t) return NULL;
    for (int i = 0; i < rec->nrows; i++) PyTuple_SET_ITEM(t, i, PyLong_FromUnsignedLong(rec->rows[i]));
    return t;
}

static int64_t viewer_of(CoreObject *self, PyObject *viewer) {
    if (viewer == Py_None) return -1;
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(viewer, &len);
    if (!s) return -2;
    return bd_viewer_row(&self->ix, (const uint8_t *)s, (size_t)len);
}

static PyObject *Core_scan_lines(CoreObject *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"data", "jsonl", "viewer", NULL};
    Py_buffer data;
    int jsonl = 0;
    PyObject *viewer = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "y*|pO", names, &data, &jsonl, &viewer)) return NULL;
    int64_t fixed = viewer_of(self, viewer);
    if (fixed == -2) {
        PyBuffer_Release(&data);
        return NULL;
    }
    const uint8_t *p = data.buf;
    size_t n = (size_t)data.len;
    unsigned long long unknown = 0, self_views = 0, emails = 0;
    PyObject *spans = PyList_New(0);
    if (!spans) goto fail;
    size_t pos = 0, line = 0;
    for (; pos < n; line++) {
        const uint8_t *nl = memchr(p + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - p) : n;
        bd_record rec;
        rec.nrows = rec.overflow = rec.forced = rec.hard = rec.nf = 0;
        rec.unknown = rec.emails = 0;
        bd_scan_record(&self->ix, p + pos, end - pos, &rec, NULL, (uint32_t)pos, 0, 0);
        emails += rec.emails;
        int settled = 0;
        if (!rec.forced && !rec.overflow) {
            if (rec.nrows == 0) {
                settled = 1;
            } else if (rec.nrows == 1) {
                int64_t vrow = fixed;
                const uint8_t *v;
                size_t vlen;
                if (jsonl) vrow = jsonl_viewer(p + pos, end - pos, &v, &vlen) ? bd_viewer_row(&self->ix, v, vlen) : -1;
                if (vrow >= 0 && (uint32_t)vrow == rec.rows[0]) {
                    settled = 1;
                    self_views++;
                }
            }
        }
        if (settled) {
            unknown += rec.unknown;
        } else {
            PyObject *rows = rows_tuple(&rec);
            if (!rows) goto fail;
            PyObject *vals = values_tuple(&rec);
            if (!vals) {
                Py_DECREF(rows);
                goto fail;
            }
            PyObject *item = Py_BuildValue("(nnNOKNn)", (Py_ssize_t)pos, (Py_ssize_t)end, rows,
                                           (rec.hard || rec.overflow) ? Py_True : Py_False,
                                           (unsigned long long)rec.unknown, vals, (Py_ssize_t)line);
            if (!item || PyList_Append(spans, item) < 0) {
                Py_XDECREF(item);
                goto fail;
            }
            Py_DECREF(item);
        }
        pos = end + 1;
    }
    PyBuffer_Release(&data);
    return Py_BuildValue("(NKKK)", spans, unknown, self_views, emails);
fail:
    Py_XDECREF(spans);
    PyBuffer_Release(&data);
    return NULL;
}

static PyObject *Core_scan_document(CoreObject *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"body", "viewer", NULL};
    Py_buffer data;
    PyObject *viewer = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "y*|O", names, &data, &viewer)) return NULL;
    int64_t vrow = viewer_of(self, viewer);
    if (vrow == -2) {
        PyBuffer_Release(&data);
        return NULL;
    }
    bd_record rec;
    rec.nrows = rec.overflow = rec.forced = rec.hard = rec.nf = 0;
    rec.unknown = rec.emails = 0;
    bd_scan_record(&self->ix, data.buf, (size_t)data.len, &rec, NULL, 0, 0, 0);
    PyBuffer_Release(&data);
    int forced = rec.forced || rec.overflow;
    int self_view = !forced && rec.nrows == 1 && vrow >= 0 && (uint32_t)vrow == rec.rows[0];
    PyObject *rows = rows_tuple(&rec);
    PyObject *vals = rows ? values_tuple(&rec) : NULL;
    if (!vals) {
        Py_XDECREF(rows);
        return NULL;
    }
    return Py_BuildValue("(NOKON)", rows, (rec.hard || rec.overflow) ? Py_True : Py_False,
                         (unsigned long long)rec.unknown, self_view ? Py_True : Py_False, vals);
}

static PyObject *Core_candidates(CoreObject *self, PyObject *args) {
    Py_buffer data;
    if (!PyArg_ParseTuple(args, "y*", &data)) return NULL;
    if ((size_t)data.len > 0xFFFFFFF0u) {
        PyBuffer_Release(&data);
        PyErr_SetString(PyExc_ValueError, "block over 4 GB");
        return NULL;
    }
    const uint8_t *p = data.buf;
    size_t n = (size_t)data.len, pos = 0;
    bd_cands cs = {NULL, 0, 0, 0};
    while (pos < n) {
        const uint8_t *nl = memchr(p + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - p) : n;
        bd_record rec;
        rec.nrows = rec.overflow = rec.forced = rec.hard = rec.nf = 0;
        rec.unknown = rec.emails = 0;
        size_t first = cs.n;
        bd_scan_record(&self->ix, p + pos, end - pos, &rec, &cs, (uint32_t)pos, (uint32_t)pos, (uint32_t)end);
        /* the customer's own name on the line, apart from the address: 8 seen, 16 ask Python */
        for (size_t i = first; self->ix.names && !cs.oom && i < cs.n; i++) {
            bd_cand *c = &cs.items[i];
            if (c->kind != 1 || c->row < 0 || (size_t)c->row >= self->ix.nnames) continue;
            uint32_t packed = self->ix.names[c->row];
            if (!packed || c->cs < c->lo || c->ce > c->hi || c->cs > c->ce) continue;
            int seen = bd_name_seen(&self->ix, packed, p + c->lo, c->cs - c->lo, p + c->ce, c->hi - c->ce);
            c->kind |= seen > 0 ? 8u : seen < 0 ? 16u : 0u;
        }
        pos = end + 1;
    }
    PyBuffer_Release(&data);
    if (cs.oom) {
        free(cs.items);
        return PyErr_NoMemory();
    }
    PyObject *out = PyBytes_FromStringAndSize((const char *)cs.items, (Py_ssize_t)(cs.n * sizeof(bd_cand)));
    free(cs.items);
    return out;
}

static PyObject *Core_viewer_row(CoreObject *self, PyObject *arg) {
    int64_t row = viewer_of(self, arg);
    if (row == -2) return NULL;
    if (row < 0) Py_RETURN_NONE;
    return PyLong_FromLongLong(row);
}

static PyObject *Core_email_hash(CoreObject *self, PyObject *arg) {
    Py_buffer v;
    if (PyObject_GetBuffer(arg, &v, PyBUF_SIMPLE) < 0) return NULL;
    uint64_t h = bd_hash(&self->ix.email, v.buf, (size_t)v.len);
    PyBuffer_Release(&v);
    return PyLong_FromUnsignedLongLong(h);
}

static PyObject *core_decode(PyObject *mod, PyObject *arg) {
    Py_buffer v;
    if (PyObject_GetBuffer(arg, &v, PyBUF_SIMPLE) < 0) return NULL;
    size_t n = (size_t)v.len;
    uint8_t *out = malloc(n ? n : 1);
    uint32_t *map = malloc((n ? n : 1) * sizeof(uint32_t));
    if (!out || !map) {
        free(out);
        free(map);
        PyBuffer_Release(&v);
        return PyErr_NoMemory();
    }
    size_t len = bd_decode(v.buf, n, out, map);
    PyBuffer_Release(&v);
    PyObject *r = PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)len);
    free(out);
    free(map);
    return r;
}

static PyMethodDef Core_methods[] = {
    {"scan_lines", (PyCFunction)(void (*)(void))Core_scan_lines, METH_VARARGS | METH_KEYWORDS,
     "Scan a block of whole lines; return (spans, unknown, self_views, emails)."},
    {"scan_document", (PyCFunction)(void (*)(void))Core_scan_document, METH_VARARGS | METH_KEYWORDS,
     "Scan one document; return (rows, forced, unknown, self_view)."},
    {"candidates", (PyCFunction)Core_candidates, METH_VARARGS,
     "Every candidate of a block of lines as packed records (see CANDIDATE_DTYPE)."},
    {"viewer_row", (PyCFunction)Core_viewer_row, METH_O, "Registry row of a customer id, or None."},
    {"email_hash", (PyCFunction)Core_email_hash, METH_O, "Keyed hash of a normalised email."},
    {NULL, NULL, 0, NULL}};

static PyTypeObject CoreType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "breachdesk.detect._core.Core",
    .tp_basicsize = sizeof(CoreObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The compiled detection core over one memory-mapped keyed index.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Core_init,
    .tp_dealloc = (destructor)Core_dealloc,
    .tp_methods = Core_methods,
};

static PyObject *core_utf8_invalid(PyObject *mod, PyObject *arg) {
    Py_buffer v;
    if (PyObject_GetBuffer(arg, &v, PyBUF_SIMPLE) < 0) return NULL;
    int64_t bad = bd_utf8_invalid(v.buf, (size_t)v.len);
    PyBuffer_Release(&v);
    return PyLong_FromLongLong(bad);
}

static PyObject *core_count_lines(PyObject *mod, PyObject *arg) {
    (void)mod;
    Py_buffer v;
    if (PyObject_GetBuffer(arg, &v, PyBUF_SIMPLE) < 0) return NULL;
    const char *p = v.buf, *end = p + v.len;
    Py_ssize_t n = 0;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    PyBuffer_Release(&v);
    return PyLong_FromSsize_t(n);
}

static PyMethodDef module_methods[] = {
    {"count_lines", core_count_lines, METH_O, "How many newlines the buffer holds."},
    {"utf8_invalid", core_utf8_invalid, METH_O, "Offset of the first invalid UTF-8 sequence, or -1."},
    {"decode", core_decode, METH_O, "The universal decoder (up to three passes)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef core_module = {PyModuleDef_HEAD_INIT, "_core", NULL, -1, module_methods};

PyMODINIT_FUNC PyInit__core(void) {
    if (PyType_Ready(&CoreType) < 0) return NULL;
    PyObject *m = PyModule_Create(&core_module);
    if (!m) return NULL;
    Py_INCREF(&CoreType);
    if (PyModule_AddObject(m, "Core", (PyObject *)&CoreType) < 0) {
        Py_DECREF(&CoreType);
        Py_DECREF(m);
        return NULL;
    }
    PyModule_AddIntConstant(m, "CANDIDATE_SIZE", (long)sizeof(bd_cand));
    return m;
}

# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, infer_types=False
# cython: auto_pickle=False
"""The X12 readers' inner loops in C: segment texts cut from decoded text, and an 835's claims grouped and balanced.

The compiled twins of ``tokenizer._split_segments`` and ``claims_835.PureClaimScanner``: the same API and the same
results, documented there (``scanning`` says whether these are in use). No object is made per element, nor per
segment beyond its text: a segment's identifier, amounts, dates and quantities are read in place.
"""

from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from libc.string cimport memchr
from cpython.unicode cimport (PyUnicode_1BYTE_KIND, PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_KIND,
                              PyUnicode_READ)
from libc.stdint cimport int64_t

cdef extern from *:
    """
    #ifndef SCANNING_SOURCE_HASH
    #define SCANNING_SOURCE_HASH ""
    #endif
    """
    const char* SCANNING_SOURCE_HASH

cdef extern from *:
    """
    /* A CLEAN claim as claim_type (a NamedTuple: a tuple subclass without fields of its own) (first, texts, None). */
    static PyObject* raw_claim(PyObject* type, Py_ssize_t first, PyObject* texts) {
        PyTypeObject* tp = (PyTypeObject*)type;
        PyObject* number = PyLong_FromSsize_t(first);
        PyObject* claim;
        if (number == NULL) return NULL;
        claim = tp->tp_alloc(tp, 3);
        if (claim == NULL) { Py_DECREF(number); return NULL; }
        Py_INCREF(texts);
        Py_INCREF(Py_None);
        PyTuple_SET_ITEM(claim, 0, number);
        PyTuple_SET_ITEM(claim, 1, texts);
        PyTuple_SET_ITEM(claim, 2, Py_None);
        return claim;
    }
    """
    object raw_claim(object claim_type, Py_ssize_t first, object texts)

# The sha256 of the .pyx this module was compiled from (setup.py passes it): a stale build is seen, never used.
SOURCE_HASH = SCANNING_SOURCE_HASH.decode("ascii")

cdef enum:
    MAX_ELEMENTS = 20  # the elements read: CAS's last triple ends at CAS19
    MAX_AMOUNTS = 4000  # adjustments in one claim summed in 64 bits: 4,000 x 10^15 cents cannot overflow

cdef extern from "Python.h":
    bint Py_UNICODE_ISSPACE(unsigned int ch)  # what str.strip strips
    object PyUnicode_Substring(object text, Py_ssize_t start, Py_ssize_t end)


def split_segments(str buffer, str terminator, bint first):
    """``buffer`` cut at each ``terminator`` (one character): the texts before the last terminator, stripped, the
    empty ones dropped; the text after it, as it is; and whether a text starts with ISA (``first``: the buffer
    starts the file, whose own ISA is not counted)."""
    cdef Py_ssize_t length = PyUnicode_GET_LENGTH(buffer), start = 0, stop, left, right
    cdef int kind = PyUnicode_KIND(buffer)
    cdef void* data = PyUnicode_DATA(buffer)
    cdef unsigned int separator = ord(terminator)
    cdef const char* found
    cdef list texts = []
    cdef bint isa = False
    while True:
        if kind == PyUnicode_1BYTE_KIND:
            if separator > 255:
                break
            found = <const char*>memchr(<const char*>data + start, <int>separator, length - start)
            if found == NULL:
                break
            stop = found - <const char*>data
        else:
            stop = start
            while stop < length and PyUnicode_READ(kind, data, stop) != separator:
                stop += 1
            if stop == length:
                break
        left, right = start, stop
        while left < right and Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, left)):
            left += 1
        while right > left and Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, right - 1)):
            right -= 1
        if right > left:
            if right - left >= 3 and PyUnicode_READ(kind, data, left) == 73 \
                    and PyUnicode_READ(kind, data, left + 1) == 83 and PyUnicode_READ(kind, data, left + 2) == 65 \
                    and (texts or not first):  # 'ISA'
                isa = True
            texts.append(PyUnicode_Substring(buffer, left, right))
        start = stop + 1
    return texts, PyUnicode_Substring(buffer, start, length), isa


cdef enum Tag:
    OTHER, CLP, LX, PLB, SE, ST, ISA, GS, GE, IEA, SVC, CAS, AMT, DTM, QTY, BPR, TRN, N1

_TAGS = {"CLP": CLP, "LX": LX, "PLB": PLB, "SE": SE, "ST": ST, "ISA": ISA, "GS": GS, "GE": GE, "IEA": IEA,
         "SVC": SVC, "CAS": CAS, "AMT": AMT, "DTM": DTM, "QTY": QTY, "BPR": BPR, "TRN": TRN, "N1": N1}

# The elements each checked segment's checks read (CLP05, SVC07, CAS19, XXX02), one more to tell the count.
cdef Py_ssize_t WANTED[N1 + 1]
WANTED[<int>CLP] = 6
WANTED[<int>SVC] = 8
WANTED[<int>CAS] = MAX_ELEMENTS
WANTED[<int>AMT] = 3
WANTED[<int>DTM] = 3
WANTED[<int>QTY] = 3

cdef struct Text:
    int kind
    void* data
    Py_ssize_t length


cdef inline bint is_space(unsigned int c) noexcept:
    """ASCII whitespace as ``str.strip`` sees it (the information separators 28-31 too)."""
    return c == 32 or 9 <= c <= 13 or 28 <= c <= 31


cdef int tag_of(str text, Text* t, unsigned int element) except -1:
    """The segment's identifier as ``elements[0].strip().upper()`` reads it."""
    cdef Py_ssize_t end = 0, start = 0, stop, i
    cdef unsigned int c
    cdef char name[4]
    while end < t.length:
        c = PyUnicode_READ(t.kind, t.data, end)
        if c == element:
            break
        if c >= 128:  # str.strip and str.upper beyond ASCII ('\xa0' is a space, 'ſ'.upper() is 'S'): Python's own
            return _TAGS.get(text.split(chr(element), 1)[0].strip().upper(), OTHER)
        end += 1
    stop = end
    while start < stop and is_space(PyUnicode_READ(t.kind, t.data, start)):
        start += 1
    while stop > start and is_space(PyUnicode_READ(t.kind, t.data, stop - 1)):
        stop -= 1
    if stop - start < 2 or stop - start > 3:
        return OTHER
    for i in range(stop - start):
        c = PyUnicode_READ(t.kind, t.data, start + i)
        if 97 <= c <= 122:
            c -= 32
        name[i] = <char>c
    if stop - start == 2:
        if name[0] == b"L" and name[1] == b"X":
            return LX
        if name[0] == b"S":
            return SE if name[1] == b"E" else (ST if name[1] == b"T" else OTHER)
        if name[0] == b"G":
            return GS if name[1] == b"S" else (GE if name[1] == b"E" else OTHER)
        if name[0] == b"N" and name[1] == b"1":
            return N1
        return OTHER
    if name[0] == b"C":
        if name[1] == b"L" and name[2] == b"P":
            return CLP
        if name[1] == b"A" and name[2] == b"S":
            return CAS
    elif name[0] == b"S" and name[1] == b"V" and name[2] == b"C":
        return SVC
    elif name[0] == b"D" and name[1] == b"T" and name[2] == b"M":
        return DTM
    elif name[0] == b"A" and name[1] == b"M" and name[2] == b"T":
        return AMT
    elif name[0] == b"P" and name[1] == b"L" and name[2] == b"B":
        return PLB
    elif name[0] == b"Q" and name[1] == b"T" and name[2] == b"Y":
        return QTY
    elif name[0] == b"B" and name[1] == b"P" and name[2] == b"R":
        return BPR
    elif name[0] == b"T" and name[1] == b"R" and name[2] == b"N":
        return TRN
    elif name[0] == b"I" and name[1] == b"S" and name[2] == b"A":
        return ISA
    elif name[0] == b"I" and name[1] == b"E" and name[2] == b"A":
        return IEA
    return OTHER


cdef Py_ssize_t elements_of(Text* t, unsigned int element, Py_ssize_t* starts, Py_ssize_t* ends,
                            Py_ssize_t wanted) noexcept:
    """The bounds of the segment's first ``wanted`` elements (at most MAX_ELEMENTS); how many it has as ``str.split``
    counts them, or ``wanted`` + 1 when it has more."""
    cdef Py_ssize_t count = 0, i, start = 0, length = t.length
    cdef const unsigned char* text
    if t.kind == PyUnicode_1BYTE_KIND:  # most X12: a loop over bytes
        text = <const unsigned char*>t.data
        for i in range(length):
            if text[i] == element:
                starts[count] = start
                ends[count] = i
                count += 1
                start = i + 1
                if count == wanted:
                    return wanted + 1
    else:
        for i in range(length):
            if PyUnicode_READ(t.kind, t.data, i) == element:
                starts[count] = start
                ends[count] = i
                count += 1
                start = i + 1
                if count == wanted:
                    return wanted + 1
    starts[count] = start
    ends[count] = length
    return count + 1


cdef bint cents_of(Text* t, Py_ssize_t start, Py_ssize_t end, int64_t* cents, int* places) noexcept:
    """An amount in whole cents: an optional minus, 1 to 13 digits, an optional point and 1 or 2 decimals."""
    cdef bint negative = False
    cdef int64_t value = 0
    cdef Py_ssize_t digits = 0, decimals = 0, i = start
    cdef unsigned int c
    if i < end and PyUnicode_READ(t.kind, t.data, i) == 45:  # '-'
        negative = True
        i += 1
    while i < end:
        c = PyUnicode_READ(t.kind, t.data, i)
        if c < 48 or c > 57:
            break
        value = value * 10 + (c - 48)
        digits += 1
        i += 1
    if digits == 0 or digits > 13:
        return False
    if i < end:
        if PyUnicode_READ(t.kind, t.data, i) != 46:  # '.'
            return False
        i += 1
        while i < end:
            c = PyUnicode_READ(t.kind, t.data, i)
            if c < 48 or c > 57:
                return False
            value = value * 10 + (c - 48)
            decimals += 1
            i += 1
        if decimals == 0 or decimals > 2:
            return False
    for i in range(2 - decimals):
        value *= 10
    cents[0] = -value if negative else value
    places[0] = <int>decimals
    return True


cdef bint is_quantity(Text* t, Py_ssize_t start, Py_ssize_t end) noexcept:
    """A quantity that reads as itself: an optional minus (units taken back), 1 to 8 digits, an optional point and 1
    to 4 decimals."""
    cdef Py_ssize_t digits = 0, decimals = 0, i = start
    cdef unsigned int c
    if i < end and PyUnicode_READ(t.kind, t.data, i) == 45:  # '-'
        i += 1
    while i < end:
        c = PyUnicode_READ(t.kind, t.data, i)
        if c < 48 or c > 57:
            break
        digits += 1
        i += 1
    if digits == 0 or digits > 8:
        return False
    if i == end:
        return True
    if PyUnicode_READ(t.kind, t.data, i) != 46:
        return False
    i += 1
    while i < end:
        c = PyUnicode_READ(t.kind, t.data, i)
        if c < 48 or c > 57:
            return False
        decimals += 1
        i += 1
    return 1 <= decimals <= 4


cdef bint is_date(Text* t, Py_ssize_t start, Py_ssize_t end) noexcept:
    """Exactly CCYYMMDD, a day that exists."""
    cdef int parts[8]
    cdef Py_ssize_t i
    cdef unsigned int c
    cdef int year, month, day, days
    if end - start != 8:
        return False
    for i in range(8):
        c = PyUnicode_READ(t.kind, t.data, start + i)
        if c < 48 or c > 57:
            return False
        parts[i] = <int>(c - 48)
    year = parts[0] * 1000 + parts[1] * 100 + parts[2] * 10 + parts[3]
    month = parts[4] * 10 + parts[5]
    day = parts[6] * 10 + parts[7]
    if year < 1 or month < 1 or month > 12 or day < 1:
        return False
    if month == 2:
        days = 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28
    elif month == 4 or month == 6 or month == 9 or month == 11:
        days = 30
    else:
        days = 31
    return day <= days


cdef class ClaimScanner:
    """Groups one 835 transaction set's segments into claims, batch by batch (a claim may span batches)."""

    cdef unsigned int separator
    cdef type claim_type  # RawClaim: a tuple (first, texts, None), made here without a call into Python
    cdef str element
    cdef bint open
    cdef Py_ssize_t claim_first
    cdef list pending  # the open claim's texts from earlier calls
    cdef list split  # its texts split with an earlier interchange's element separator (an ISA inside the claim)
    cdef bint clean, in_line
    cdef bint foreign  # an interchange with another element separator came inside the set
    cdef int64_t charge, paid, claim_adjusted, line_charge, line_paid, line_adjusted, lines_adjusted
    cdef int places, amounts
    cdef int64_t partial  # CLP04 of the clean claims, until it is added to paid_cents
    cdef object _paid_cents
    cdef public int paid_places
    cdef public Py_ssize_t clean_claims

    def __init__(self, str element, type claim_type):
        self.claim_type = claim_type
        self.element = element
        self.separator = ord(element)
        self.open = False
        self.foreign = False
        self.pending = None
        self.split = None
        self.partial = 0
        self._paid_cents = 0
        self.paid_places = 0
        self.clean_claims = 0

    @property
    def paid_cents(self):
        """What the clean claims pay (CLP04), in cents."""
        return self._paid_cents + self.partial

    def scan(self, list texts, Py_ssize_t index, Py_ssize_t first, list out, Py_ssize_t limit):
        """Reads ``texts[index:]`` (``texts[i]`` is segment ``first + i``), appending each claim that closes to
        ``out``; returns the index of the first segment it leaves to the caller (one outside the claims other than
        LX, or an envelope segment), or ``len(texts)``; or, once ``out`` holds ``limit`` claims, that of the CLP or
        LX after the last, not yet read (the caller goes on from there)."""
        cdef Py_ssize_t n = PyList_GET_SIZE(texts), i = index, start = index
        cdef str text
        cdef Text t
        cdef int tag
        while i < n:
            text = <str>PyList_GET_ITEM(texts, i)
            t.kind = PyUnicode_KIND(text)
            t.data = PyUnicode_DATA(text)
            t.length = PyUnicode_GET_LENGTH(text)
            tag = tag_of(text, &t, self.separator)
            if self.open:
                if tag == CLP or tag == LX or tag == PLB or tag == SE:
                    self.close(texts, start, i, out)
                    if PyList_GET_SIZE(out) >= limit:
                        return i
                elif tag == ST or tag == ISA or tag == GS or tag == GE or tag == IEA:
                    self.clean = False  # the caller reads the envelope segment; the claim goes on after it
                    self.keep(texts, start, i + 1)
                    return i
                else:
                    if self.clean:
                        self.check(&t, tag)
                    i += 1
                    continue
            if tag == CLP:
                self.begin(first + i)
                start = i
                self.check(&t, tag)
            elif tag != LX:
                return i
            i += 1
        if self.open:
            self.keep(texts, start, n)
        return n

    def rebatch(self, str element):
        """A new batch's element separator. Another one (a later interchange's, inside the set): the open claim's
        texts so far are split with the one they were written with, and this claim and those after it are left to the
        Python reader (a raw claim's texts are in the set's element separator)."""
        if element == self.element:
            return
        self.foreign = True
        if self.open and self.pending:
            done = len(self.split) if self.split is not None else 0
            self.split = (self.split or []) + [text.split(self.element) for text in self.pending[done:]]
            self.clean = False
        self.element = element
        self.separator = ord(element)

    def open_claim(self):
        """The open claim so far, (first, texts, split), when a segment of it is left to the Python reader (which may
        raise an error there); else None."""
        if not self.open or self.clean:
            return None
        return self.claim_first, self.pending if self.pending is not None else [], self.split

    def finish(self, list out):
        """The end of the set's segments with a claim still open (the file ends before SE): it is closed."""
        if self.open:
            self.close([], 0, 0, out)

    cdef void begin(self, Py_ssize_t number) noexcept:
        self.open = True
        self.claim_first = number
        self.clean = not self.foreign
        self.in_line = False
        self.charge = self.paid = self.claim_adjusted = self.lines_adjusted = 0
        self.line_charge = self.line_paid = self.line_adjusted = 0
        self.places = 0
        self.amounts = 0

    cdef int keep(self, list texts, Py_ssize_t start, Py_ssize_t stop) except -1:
        part = texts[start:stop]
        self.pending = part if self.pending is None else self.pending + part
        return 0

    cdef int close(self, list texts, Py_ssize_t start, Py_ssize_t stop, list out) except -1:
        part = texts[start:stop]
        if self.pending is not None:
            part = self.pending + part
            self.pending = None
        split, self.split = self.split, None
        self.open = False
        if self.clean:
            self.end_line()
            if self.charge - self.claim_adjusted - self.lines_adjusted != self.paid:
                self.clean = False
        if self.clean:
            if self.partial > 4_000_000_000_000_000_000 or self.partial < -4_000_000_000_000_000_000:
                self._paid_cents += self.partial
                self.partial = 0
            self.partial += self.paid
            if self.places > self.paid_places:
                self.paid_places = self.places
            self.clean_claims += 1
            out.append(raw_claim(self.claim_type, self.claim_first, part))
        else:
            out.append((self.claim_first, part, split))
        return 0

    cdef void end_line(self) noexcept:
        if self.in_line:
            if self.line_charge - self.line_adjusted != self.line_paid:
                self.clean = False
            self.lines_adjusted += self.line_adjusted
            self.in_line = False

    cdef int check(self, Text* t, int tag) except -1:
        """One segment of the open claim: its amounts, dates and quantities read, or the claim left to the reader."""
        cdef Py_ssize_t starts[MAX_ELEMENTS + 1]
        cdef Py_ssize_t ends[MAX_ELEMENTS + 1]
        cdef Py_ssize_t count, index
        cdef int64_t cents
        cdef int places
        if tag == OTHER or tag == LX:
            return 0
        if tag == BPR or tag == TRN or tag == N1:  # they change the header: read in order by the Python reader
            self.clean = False
            return 0
        count = elements_of(t, self.separator, starts, ends, WANTED[tag])
        if tag == CLP:
            if count <= 4 or not cents_of(t, starts[3], ends[3], &self.charge, &places) \
                    or not cents_of(t, starts[4], ends[4], &self.paid, &self.places):
                self.clean = False
            elif count > 5 and starts[5] < ends[5] and not cents_of(t, starts[5], ends[5], &cents, &places):
                self.clean = False
        elif tag == SVC:
            self.end_line()
            self.in_line = True
            self.line_adjusted = 0
            if count <= 3 or not cents_of(t, starts[2], ends[2], &self.line_charge, &places) \
                    or not cents_of(t, starts[3], ends[3], &self.line_paid, &places):
                self.clean = False
            elif count > 5 and starts[5] < ends[5] and not is_quantity(t, starts[5], ends[5]):
                self.clean = False
            elif count > 7 and starts[7] < ends[7] and not is_quantity(t, starts[7], ends[7]):
                self.clean = False
        elif tag == CAS:
            index = 2
            while index < count and index < MAX_ELEMENTS:
                if starts[index] < ends[index]:  # a reason: its amount is required
                    if index + 1 >= count or not cents_of(t, starts[index + 1], ends[index + 1], &cents, &places):
                        self.clean = False
                        return 0
                    self.amounts += 1
                    if self.amounts > MAX_AMOUNTS:
                        self.clean = False
                        return 0
                    if self.in_line:
                        self.line_adjusted += cents
                    else:
                        self.claim_adjusted += cents
                    if index + 2 < count and starts[index + 2] < ends[index + 2] \
                            and not is_quantity(t, starts[index + 2], ends[index + 2]):
                        self.clean = False
                        return 0
                index += 3
        elif tag == AMT:
            if count > 2 and starts[2] < ends[2] and not cents_of(t, starts[2], ends[2], &cents, &places):
                self.clean = False
        elif tag == DTM:
            if count > 2 and starts[2] < ends[2] and not is_date(t, starts[2], ends[2]):
                self.clean = False
        elif tag == QTY:
            if count > 2 and starts[2] < ends[2] and not is_quantity(t, starts[2], ends[2]):
                self.clean = False
        return 0

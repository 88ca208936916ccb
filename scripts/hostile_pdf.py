"""PDF building blocks for scripts/make-hostile: a tiny PDF writer (correct xref offsets) and the
standard security handler (RC4, revisions 2 and 3), so encrypted PDFs need no third-party package."""
import hashlib, struct, zlib

PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def rc4(key, data):
    s = list(range(256)); j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 255; s[i], s[j] = s[j], s[i]
    out = bytearray(); i = j = 0
    for byte in data:
        i = (i + 1) & 255; j = (j + s[i]) & 255; s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) & 255])
    return bytes(out)


def pdf(objects, root=1, trailer_extra=b"", header=b"%PDF-1.4\n", eof=True):
    """objects: list of bytes bodies for objects 1..n (a body may itself hold a stream)."""
    out = bytearray(header + b"%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets: out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n" % (len(objects) + 1, root, trailer_extra, xref)
    if eof: out += b"%%EOF\n"
    return bytes(out)


def stream(data, extra=b"", compress=False):
    if compress:
        data = zlib.compress(data, 9); extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_content(lines, size=14, x=40, top=760):
    ops = [b"BT /F1 %d Tf %d TL %d %d Td" % (size, size + 6, x, top)]
    for line in lines: ops.append(b"(" + line.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def document(pages, mediabox=b"[0 0 612 792]", extra_page=b""):
    """pages: list of content-stream bytes. Returns the object list (catalog, pages, font, then
    page/content pairs)."""
    count = len(pages)
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i, content in enumerate(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R %s>>"
                       % (mediabox, 5 + 2 * i, extra_page))
        objects.append(stream(content))
    return objects


def text_pdf(lines_per_page, **kw):
    return pdf(document([text_content(lines) for lines in lines_per_page], **kw))


def encrypted_pdf(lines, user_password, owner_password, revision=2):
    """A text PDF under the standard security handler (RC4; revision 2 = 40-bit, 3 = 128-bit)."""
    file_id = hashlib.md5(repr(lines).encode() + user_password + owner_password).digest()
    length = 5 if revision == 2 else 16
    permissions = -44 if revision == 2 else -3904
    # Algorithm 3: the /O entry.
    okey = hashlib.md5((owner_password + PAD)[:32]).digest()
    if revision >= 3:
        for _ in range(50): okey = hashlib.md5(okey[:length]).digest()
    o_entry = rc4(okey[:length], (user_password + PAD)[:32])
    if revision >= 3:
        for i in range(1, 20): o_entry = rc4(bytes(b ^ i for b in okey[:length]), o_entry)
    # Algorithm 2: the file key.
    digest = hashlib.md5((user_password + PAD)[:32] + o_entry + struct.pack("<i", permissions) + file_id).digest()
    if revision >= 3:
        for _ in range(50): digest = hashlib.md5(digest[:length]).digest()
    key = digest[:length]
    # Algorithms 4/5: the /U entry.
    if revision == 2:
        u_entry = rc4(key, PAD)
    else:
        u = rc4(key, hashlib.md5(PAD + file_id).digest())
        for i in range(1, 20): u = rc4(bytes(b ^ i for b in key), u)
        u_entry = u + bytes(16)

    def encrypt(number, data):
        object_key = hashlib.md5(key + struct.pack("<i", number)[:3] + b"\x00\x00").digest()[:min(length + 5, 16)]
        return rc4(object_key, data)

    objects = document([text_content(lines)])
    content = text_content(lines)
    objects[4] = stream(encrypt(5, content))
    v = 1 if revision == 2 else 2
    objects.append(b"<< /Filter /Standard /V %d /R %d /Length %d /P %d /O <%s> /U <%s> >>"
                   % (v, revision, length * 8, permissions, o_entry.hex().encode(), u_entry.hex().encode()))
    extra = b"/Encrypt %d 0 R /ID [<%s> <%s>] " % (len(objects), file_id.hex().encode(), file_id.hex().encode())
    return pdf(objects, trailer_extra=extra)


# ------------------------------------------------------------------ hostile PDFs

def nested_pdfs():
    """PDFs whose object graph is deep or cyclic; (bytes, what)."""
    out = []
    depth = 100000
    deep_array = b"[" * depth + b"]" * depth
    out.append((pdf(document([text_content(["deep array"])], extra_page=b"/Deep " + deep_array + b" ")), "array nested 100k deep"))
    deep_dict = b"<< /A " * 50000 + b"1" + b" >>" * 50000
    out.append((pdf(document([text_content(["deep dict"])], extra_page=b"/Deep " + deep_dict + b" ")), "dictionary nested 50k deep"))
    # Page tree whose Kids point back at itself.
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
               b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"]
    out.append((pdf(objects), "page tree that loops"))
    # A form XObject that draws itself.
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /XObject << /X 5 0 R >> >> /Contents 4 0 R >>",
               stream(b"/X Do"),
               stream(b"0 0 m 10 10 l S /X Do", extra=b" /Type /XObject /Subtype /Form /BBox [0 0 200 200] /Resources << /XObject << /X 5 0 R >> >>")]
    out.append((pdf(objects), "form XObject that draws itself"))
    # Two form XObjects drawing each other.
    objects = objects[:4] + [
        stream(b"/Y Do", extra=b" /Type /XObject /Subtype /Form /BBox [0 0 200 200] /Resources << /XObject << /Y 6 0 R >> >>"),
        stream(b"/X Do", extra=b" /Type /XObject /Subtype /Form /BBox [0 0 200 200] /Resources << /XObject << /X 5 0 R >> >>")]
    out.append((pdf(objects), "two form XObjects drawing each other"))
    out.append((pdf(document([b"q " * 200000 + b"BT /F1 12 Tf 10 10 Td (q) Tj ET" + b" Q" * 200000])), "content with 200k nested q"))
    # A stream whose /Length is a reference to itself.
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
               b"<< /Length 4 0 R >>\nstream\n0 0 m 1 1 l S\nendstream"]
    out.append((pdf(objects), "stream /Length refers to itself"))
    # Catalog refers to itself as its page tree.
    out.append((pdf([b"<< /Type /Catalog /Pages 1 0 R >>"]), "catalog is its own page tree"))
    # xref /Prev chain that loops (trailer points at its own xref).
    base = text_pdf([["prev loop"]])
    at = base.rfind(b"startxref\n") + len(b"startxref\n")
    xref_offset = int(base[at:base.find(b"\n", at)])
    looped = base.replace(b"/Root 1 0 R", b"/Root 1 0 R /Prev %d" % xref_offset)
    out.append((looped, "xref /Prev points at itself"))
    # Object streams and a 1M-entry xref claim.
    out.append((base.replace(b"/Size 6", b"/Size 99999999"), "trailer /Size 99,999,999"))
    return out


def flate_bomb_pdf():
    """A content stream of 256 MB of spaces that compresses to about 250 KB."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = b"".join(compressor.compress(chunk) for _ in range(256)) + compressor.flush()
    data += zlib.compress(b"")[:0]
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"]
    return pdf(objects)


def image_bomb_pdf(side):
    """A page drawing a side x side gray image XObject whose flate data is tiny."""
    compressor = zlib.compressobj(9)
    row = b"\x80" * side
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im 5 0 R >> >> /Contents 4 0 R >>",
               stream(b"q 612 0 0 792 0 0 cm /Im Do Q"),
               b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d /Filter /FlateDecode >>\nstream\n"
               % (side, side, len(data)) + data + b"\nendstream"]
    return pdf(objects)


def many_pages_pdf(count):
    """count blank pages sharing one content stream (small file, many pages)."""
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(count))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", stream(text_content(["page"]))]
    for _ in range(count):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>")
    return pdf(objects)

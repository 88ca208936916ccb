/* DocVault's bridge to libpng, libjpeg(-turbo) and libtiff.
 *
 * libpng and libjpeg report fatal errors by calling an error handler that must not return; the
 * default ones print to stderr and exit(). Swift cannot use setjmp/longjmp, so every call that can
 * fail runs inside one of the small C functions below, which own the setjmp and turn a failure into
 * a flag plus a message. Warnings are swallowed (we only record whether the data ended early).
 * libtiff's global handlers are replaced so that nothing reaches stderr; messages land in the
 * in-memory stream that the failing TIFF* reads from. */
#ifndef DOCVAULT_IMAGE_CODECS_SHIM_H
#define DOCVAULT_IMAGE_CODECS_SHIM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stdint.h>
#include <setjmp.h>
#include <png.h>
#include <jpeglib.h>
#include <jerror.h>
#include <tiffio.h>

#define DV_MESSAGE_BYTES 256

/* ------------------------------------------------------------------ JPEG (read) */

typedef struct dv_jpeg {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr err;
    jmp_buf jump;
    int created;
    int failed;
    int truncated;
    char message[JMSG_LENGTH_MAX];
} dv_jpeg;

static void dv_jpeg_error_exit(j_common_ptr cinfo) {
    dv_jpeg *j = (dv_jpeg *)cinfo->client_data;
    (*cinfo->err->format_message)(cinfo, j->message);
    j->failed = 1;
    longjmp(j->jump, 1);
}

static void dv_jpeg_emit_message(j_common_ptr cinfo, int level) {
    dv_jpeg *j = (dv_jpeg *)cinfo->client_data;
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) j->truncated = 1;
}

static void dv_jpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

/* Parses the header of a JPEG held in memory. Always returns a handle (NULL only when out of
 * memory); check dv_jpeg_failed. `data` must stay alive until dv_jpeg_close. */
static inline dv_jpeg *dv_jpeg_open(const unsigned char *data, unsigned long size) {
    dv_jpeg *j = (dv_jpeg *)calloc(1, sizeof(dv_jpeg));
    if (!j) return NULL;
    j->cinfo.err = jpeg_std_error(&j->err);
    j->err.error_exit = dv_jpeg_error_exit;
    j->err.emit_message = dv_jpeg_emit_message;
    j->err.output_message = dv_jpeg_output_message;
    if (setjmp(j->jump)) return j;
    jpeg_create_decompress(&j->cinfo);
    j->cinfo.client_data = j;
    j->created = 1;
    jpeg_mem_src(&j->cinfo, data, size);
    jpeg_save_markers(&j->cinfo, JPEG_APP0 + 1, 0xFFFF); /* EXIF (orientation) */
    jpeg_read_header(&j->cinfo, TRUE);
    return j;
}

static inline int dv_jpeg_failed(const dv_jpeg *j) { return j->failed; }
static inline int dv_jpeg_truncated(const dv_jpeg *j) { return j->truncated; }
static inline const char *dv_jpeg_message(const dv_jpeg *j) { return j->message; }
static inline unsigned dv_jpeg_width(const dv_jpeg *j) { return j->cinfo.image_width; }
static inline unsigned dv_jpeg_height(const dv_jpeg *j) { return j->cinfo.image_height; }
static inline int dv_jpeg_components(const dv_jpeg *j) { return j->cinfo.num_components; }
static inline int dv_jpeg_is_cmyk(const dv_jpeg *j) {
    return j->cinfo.jpeg_color_space == JCS_CMYK || j->cinfo.jpeg_color_space == JCS_YCCK;
}
static inline int dv_jpeg_is_gray(const dv_jpeg *j) { return j->cinfo.jpeg_color_space == JCS_GRAYSCALE; }
/* Photoshop writes CMYK JPEGs with inverted values and says so in an Adobe APP14 marker. */
static inline int dv_jpeg_adobe_inverted(const dv_jpeg *j) { return j->cinfo.saw_Adobe_marker; }

/* The EXIF APP1 payload after "Exif\0\0" (a TIFF structure), or NULL. */
static inline const unsigned char *dv_jpeg_exif(const dv_jpeg *j, unsigned *length) {
    for (jpeg_saved_marker_ptr m = j->cinfo.marker_list; m; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data_length > 6 && memcmp(m->data, "Exif\0\0", 6) == 0) {
            *length = m->data_length - 6;
            return m->data + 6;
        }
    }
    *length = 0;
    return NULL;
}

/* Decodes the whole image into `dst` (rows of width * components bytes, components = 1 for gray,
 * 3 for RGB, 4 for CMYK as stored). Returns 0 on success, -1 on failure (see dv_jpeg_message). */
static inline int dv_jpeg_decode(dv_jpeg *j, unsigned char *dst) {
    if (j->failed) return -1;
    if (setjmp(j->jump)) return -1;
    if (dv_jpeg_is_cmyk(j)) j->cinfo.out_color_space = JCS_CMYK;
    else if (dv_jpeg_is_gray(j)) j->cinfo.out_color_space = JCS_GRAYSCALE;
    else j->cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&j->cinfo);
    size_t stride = (size_t)j->cinfo.output_width * (size_t)j->cinfo.output_components;
    while (j->cinfo.output_scanline < j->cinfo.output_height) {
        JSAMPROW row = dst + (size_t)j->cinfo.output_scanline * stride;
        if (jpeg_read_scanlines(&j->cinfo, &row, 1) != 1) break;
    }
    jpeg_finish_decompress(&j->cinfo);
    return 0;
}

static inline void dv_jpeg_close(dv_jpeg *j) {
    if (!j) return;
    if (j->created && !setjmp(j->jump)) jpeg_destroy_decompress(&j->cinfo);
    free(j);
}

/* ------------------------------------------------------------------ PNG (read) */

typedef struct dv_png {
    png_structp png;
    png_infop info;
    const unsigned char *data;
    size_t size;
    size_t pos;
    png_bytep *rows;
    int failed;
    char message[DV_MESSAGE_BYTES];
} dv_png;

static void dv_png_error(png_structp png, png_const_charp msg) {
    dv_png *d = (dv_png *)png_get_error_ptr(png);
    snprintf(d->message, sizeof d->message, "%s", msg);
    d->failed = 1;
    png_longjmp(png, 1);
}

static void dv_png_warning(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

static void dv_png_read_bytes(png_structp png, png_bytep out, png_size_t count) {
    dv_png *d = (dv_png *)png_get_io_ptr(png);
    if (d->size - d->pos < count) png_error(png, "PNG data ends early (truncated file)");
    memcpy(out, d->data + d->pos, count);
    d->pos += count;
}

/* Reads the PNG signature and header chunks (no pixel memory yet). Check dv_png_failed. */
static inline dv_png *dv_png_open(const unsigned char *data, size_t size) {
    dv_png *d = (dv_png *)calloc(1, sizeof(dv_png));
    if (!d) return NULL;
    d->data = data;
    d->size = size;
    d->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, d, dv_png_error, dv_png_warning);
    if (!d->png) { d->failed = 1; snprintf(d->message, sizeof d->message, "out of memory"); return d; }
    d->info = png_create_info_struct(d->png);
    if (!d->info) { d->failed = 1; snprintf(d->message, sizeof d->message, "out of memory"); return d; }
    if (setjmp(png_jmpbuf(d->png))) return d;
    png_set_read_fn(d->png, d, dv_png_read_bytes);
    /* Our own pixel limit is checked by the caller after this; libpng's own cap stops absurd
     * headers (up to 2^31-1) from reaching any allocation inside libpng first. */
    png_set_user_limits(d->png, 1000000, 1000000);
    png_read_info(d->png, d->info);
    return d;
}

static inline int dv_png_failed(const dv_png *d) { return d->failed; }
static inline const char *dv_png_message(const dv_png *d) { return d->message; }
static inline unsigned dv_png_width(const dv_png *d) { return png_get_image_width(d->png, d->info); }
static inline unsigned dv_png_height(const dv_png *d) { return png_get_image_height(d->png, d->info); }
static inline int dv_png_has_colour(const dv_png *d) {
    return (png_get_color_type(d->png, d->info) & PNG_COLOR_MASK_COLOR) != 0;
}
static inline int dv_png_bit_depth(const dv_png *d) { return png_get_bit_depth(d->png, d->info); }
/* Horizontal resolution from the pHYs chunk, 0 when absent or not in metres. */
static inline double dv_png_dpi(const dv_png *d) {
    return (double)png_get_x_pixels_per_inch(d->png, d->info);
}
static inline int dv_png_interlaced(const dv_png *d) {
    return png_get_interlace_type(d->png, d->info) != PNG_INTERLACE_NONE;
}

/* Sets up transforms to 8-bit gray, gray+alpha, RGB or RGBA and returns that channel count
 * (1, 2, 3, 4), or -1 on failure. */
static inline int dv_png_prepare(dv_png *d) {
    if (d->failed) return -1;
    if (setjmp(png_jmpbuf(d->png))) return -1;
    int type = png_get_color_type(d->png, d->info);
    int depth = png_get_bit_depth(d->png, d->info);
    if (type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(d->png);
    if (type == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(d->png);
    if (png_get_valid(d->png, d->info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(d->png);
    if (depth == 16) png_set_scale_16(d->png);
    png_set_interlace_handling(d->png);
    png_read_update_info(d->png, d->info);
    return png_get_channels(d->png, d->info);
}

/* Decodes all rows into `dst` (width * channels bytes per row). 0 on success, -1 on failure. */
static inline int dv_png_decode(dv_png *d, unsigned char *dst) {
    if (d->failed) return -1;
    if (setjmp(png_jmpbuf(d->png))) return -1;
    unsigned height = png_get_image_height(d->png, d->info);
    size_t stride = png_get_rowbytes(d->png, d->info);
    d->rows = (png_bytep *)malloc(sizeof(png_bytep) * (height ? height : 1));
    if (!d->rows) png_error(d->png, "out of memory");
    for (unsigned y = 0; y < height; y++) d->rows[y] = dst + (size_t)y * stride;
    png_read_image(d->png, d->rows);
    return 0;
}

static inline void dv_png_close(dv_png *d) {
    if (!d) return;
    if (d->png) png_destroy_read_struct(&d->png, d->info ? &d->info : NULL, NULL);
    free(d->rows);
    free(d);
}

/* ------------------------------------------------------------------ PNG (write) */

typedef struct dv_png_buffer {
    unsigned char *bytes;
    size_t size;
    size_t capacity;
    int failed;
    char message[DV_MESSAGE_BYTES];
} dv_png_buffer;

static void dv_png_write_bytes(png_structp png, png_bytep data, png_size_t count) {
    dv_png_buffer *b = (dv_png_buffer *)png_get_io_ptr(png);
    if (b->size + count > b->capacity) {
        size_t cap = b->capacity ? b->capacity : 65536;
        while (cap < b->size + count) cap *= 2;
        unsigned char *grown = (unsigned char *)realloc(b->bytes, cap);
        if (!grown) png_error(png, "out of memory");
        b->bytes = grown;
        b->capacity = cap;
    }
    memcpy(b->bytes + b->size, data, count);
    b->size += count;
}

static void dv_png_flush(png_structp png) { (void)png; }

static void dv_png_write_error(png_structp png, png_const_charp msg) {
    dv_png_buffer *b = (dv_png_buffer *)png_get_error_ptr(png);
    snprintf(b->message, sizeof b->message, "%s", msg);
    b->failed = 1;
    png_longjmp(png, 1);
}

/* Encodes 8-bit gray (channels 1) or RGB (channels 3) pixels into `out` (free out->bytes with
 * free()). `dpi` > 0 is stored in a pHYs chunk. Returns 0 on success, -1 on failure. */
static inline int dv_png_encode(const unsigned char *pixels, unsigned width, unsigned height,
                                int channels, double dpi, int level, dv_png_buffer *out) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, out, dv_png_write_error, dv_png_warning);
    if (!png) return -1;
    png_infop info = png_create_info_struct(png);
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, info ? &info : NULL);
        out->failed = 1;
        return -1;
    }
    png_set_write_fn(png, out, dv_png_write_bytes, dv_png_flush);
    png_set_compression_level(png, level);
    png_set_IHDR(png, info, width, height, 8, channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (dpi > 0) {
        png_uint_32 ppm = (png_uint_32)(dpi / 0.0254 + 0.5);
        png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    }
    png_write_info(png, info);
    size_t stride = (size_t)width * (size_t)channels;
    for (unsigned y = 0; y < height; y++) png_write_row(png, pixels + (size_t)y * stride);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return 0;
}

/* ------------------------------------------------------------------ TIFF (read, in memory) */

#define DV_TIFF_MAGIC 0x44565446u

typedef struct dv_tiff_stream {
    uint32_t magic;
    const unsigned char *data;
    uint64_t size;
    uint64_t pos;
    int failed;
    char message[DV_MESSAGE_BYTES];
} dv_tiff_stream;

static tmsize_t dv_tiff_read(thandle_t h, void *buf, tmsize_t n) {
    dv_tiff_stream *s = (dv_tiff_stream *)h;
    if (n <= 0 || s->pos >= s->size) return 0;
    uint64_t left = s->size - s->pos;
    uint64_t take = (uint64_t)n < left ? (uint64_t)n : left;
    memcpy(buf, s->data + s->pos, (size_t)take);
    s->pos += take;
    return (tmsize_t)take;
}
static tmsize_t dv_tiff_write(thandle_t h, void *buf, tmsize_t n) { (void)h; (void)buf; (void)n; return -1; }
static toff_t dv_tiff_seek(thandle_t h, toff_t off, int whence) {
    dv_tiff_stream *s = (dv_tiff_stream *)h;
    uint64_t base = whence == SEEK_CUR ? s->pos : whence == SEEK_END ? s->size : 0;
    s->pos = base + off;
    return s->pos;
}
static int dv_tiff_close(thandle_t h) { (void)h; return 0; }
static toff_t dv_tiff_size(thandle_t h) { return ((dv_tiff_stream *)h)->size; }
static int dv_tiff_map(thandle_t h, void **base, toff_t *size) {
    dv_tiff_stream *s = (dv_tiff_stream *)h;
    *base = (void *)s->data;
    *size = s->size;
    return 1;
}
static void dv_tiff_unmap(thandle_t h, void *base, toff_t size) { (void)h; (void)base; (void)size; }

/* libtiff passes the client handle of the failing file; only our streams carry the magic. */
static void dv_tiff_error(thandle_t h, const char *module, const char *fmt, va_list ap) {
    (void)module;
    dv_tiff_stream *s = (dv_tiff_stream *)h;
    if (!s || s->magic != DV_TIFF_MAGIC) return;
    if (!s->failed) vsnprintf(s->message, sizeof s->message, fmt, ap);
    s->failed = 1;
}
static void dv_tiff_warning(thandle_t h, const char *module, const char *fmt, va_list ap) {
    (void)h; (void)module; (void)fmt; (void)ap;
}

static inline TIFF *dv_tiff_open(dv_tiff_stream *s) {
    TIFFSetErrorHandler(NULL);
    TIFFSetWarningHandler(NULL);
    TIFFSetErrorHandlerExt(dv_tiff_error);
    TIFFSetWarningHandlerExt(dv_tiff_warning);
    s->magic = DV_TIFF_MAGIC;
    return TIFFClientOpen("memory", "r", (thandle_t)s, dv_tiff_read, dv_tiff_write, dv_tiff_seek,
                          dv_tiff_close, dv_tiff_size, dv_tiff_map, dv_tiff_unmap);
}

typedef struct dv_tiff_page {
    uint32_t width, height;
    uint16_t photometric, samples_per_pixel, bits_per_sample, resolution_unit;
    float x_resolution;
} dv_tiff_page;

static inline int dv_tiff_page_info(TIFF *tif, dv_tiff_page *p) {
    memset(p, 0, sizeof *p);
    if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &p->width)) return -1;
    if (!TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &p->height)) return -1;
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &p->samples_per_pixel);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &p->bits_per_sample);
    TIFFGetFieldDefaulted(tif, TIFFTAG_RESOLUTIONUNIT, &p->resolution_unit);
    if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &p->photometric)) p->photometric = PHOTOMETRIC_MINISWHITE;
    if (!TIFFGetField(tif, TIFFTAG_XRESOLUTION, &p->x_resolution)) p->x_resolution = 0;
    return 0;
}

/* Whether any strip or tile of the current directory reaches past the end of the file (or has
 * no bytes at all): a cut-off download. libtiff's decoders (G3/G4 above all) would otherwise
 * pad the missing rows with white and report success. */
static inline int dv_tiff_data_truncated(TIFF *tif, uint64_t file_size) {
    uint32_t count = TIFFIsTiled(tif) ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
    if (count == 0) return 1;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t offset = TIFFGetStrileOffset(tif, i), bytes = TIFFGetStrileByteCount(tif, i);
        if (bytes == 0 || offset > file_size || bytes > file_size - offset) return 1;
    }
    return 0;
}

/* Decodes the current directory to 0xAABBGGRR pixels, top row first. 0 on success. */
static inline int dv_tiff_read_rgba(TIFF *tif, uint32_t *raster, uint32_t width, uint32_t height) {
    return TIFFReadRGBAImageOriented(tif, width, height, raster, ORIENTATION_TOPLEFT, 1) ? 0 : -1;
}

#endif

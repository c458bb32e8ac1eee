/* svg.c - inline SVG charts, drawn by the program: no library, no script,
 * no external file. Each chart is role="img" with a <title> and a <desc>
 * (its text alternative) and sits beside a table of the same numbers.
 * Series differ by pattern, marker, dash and a direct label, never by
 * colour alone; every colour has at least 3:1 contrast with white, and
 * text on a fill at least 4.5:1. Coordinates are printed with fixed
 * precision so the same data gives the same bytes. */
#include "dashboard.h"

#include <math.h>
#include <string.h>

#define SVG_W 640
#define SVG_H 260
#define SVG_L 48  /* left margin (y axis labels) */
#define SVG_T 18
#define SVG_B 58  /* bottom margin (x labels) */

/* Fills of the activity levels, in order inactive, fairly active, active:
 * a hatch, dots and solid, so they read in grey print too. */
static const char *const svg_level_fill[] = { "url(#pat-hatch)", "url(#pat-dots)", "#5e3c99" };
static const char *const svg_level_text[] = { "#1a1a1a", "#1a1a1a", "#ffffff" };
static const char *const svg_line_colour[] = { "#0b4f8a", "#b35900", "#2e7d32", "#6a1b9a",
	                                       "#a40000", "#37474f" };
static const char *const svg_line_dash[] = { "", "7 4", "2 3", "9 3 2 3", "4 4", "1 2" };

void svg_defs(FILE *f)
{
	fputs("<svg width=\"0\" height=\"0\" aria-hidden=\"true\" focusable=\"false\" "
	      "style=\"position:absolute\"><defs>\n"
	      "<pattern id=\"pat-hatch\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\">"
	      "<rect width=\"8\" height=\"8\" fill=\"#ffffff\"/>"
	      "<path d=\"M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6\" stroke=\"#595959\" stroke-width=\"1.2\"/>"
	      "</pattern>\n"
	      "<pattern id=\"pat-dots\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">"
	      "<rect width=\"6\" height=\"6\" fill=\"#fdd9a6\"/>"
	      "<circle cx=\"3\" cy=\"3\" r=\"1.2\" fill=\"#7a4100\"/></pattern>\n"
	      "</defs></svg>\n",
	      f);
}

/* A round axis maximum (1, 2 or 5 times a power of ten, times 4 ticks). */
static double svg_axis_max(double max, int percent, double *step)
{
	double raw, p, m;

	if (percent) {
		*step = 25;
		return 100;
	}
	if (max <= 0)
		max = 1;
	raw = max / 4;
	p = pow(10, floor(log10(raw)));
	m = raw / p;
	*step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
	if (*step < 1)
		*step = 1;
	return *step * ceil(max / *step);
}

static void svg_open(FILE *f, const char *id, const char *title, const char *desc)
{
	fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
	           "aria-labelledby=\"%s-t %s-d\" xmlns=\"http://www.w3.org/2000/svg\">\n"
	           "<title id=\"%s-t\">",
	        SVG_W, SVG_H, id, id, id);
	html_esc(f, title);
	fprintf(f, "</title>\n<desc id=\"%s-d\">", id);
	html_esc(f, desc);
	fputs("</desc>\n", f);
}

/* Grid lines and y labels from 0 to top; returns the plot height. */
static double svg_axes(FILE *f, double top, double step, int percent, int right)
{
	double ph = SVG_H - SVG_T - SVG_B;

	for (double v = 0; v <= top + 1e-9; v += step) {
		double y = SVG_T + ph - v / top * ph;
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
		           "stroke-width=\"1\"/>",
		        SVG_L, y, SVG_W - right, y, v == 0 ? "#1a1a1a" : "#c8c8c8");
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g%s</text>\n", SVG_L - 6,
		        y + 4, v, percent ? "%" : "");
	}
	return ph;
}

/* An x label under slot i of n (centre cx), rotated when crowded and
 * thinned (every other, ...) when very crowded; the table beside has
 * every one. */
static void svg_xlabel(FILE *f, int i, int n, double cx, const char *label)
{
	int every = n > 26 ? (n + 25) / 26 : 1;
	double y = SVG_H - SVG_B + 16;

	if (i % every != 0)
		return;
	if (n > 8)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
		           "transform=\"rotate(-40 %.1f %.1f)\">",
		        cx, y, cx, y);
	else
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", cx, y);
	html_esc(f, label);
	fputs("</text>\n", f);
}

void svg_bars(FILE *f, const char *id, const char *title, const char *desc, int n,
              const char *const *labels, const double *values, int percent,
              const unsigned char *marked)
{
	double max = 0, step, top, ph, slot, bw;

	for (int i = 0; i < n; i++)
		if (values[i] > max)
			max = values[i];
	top = svg_axis_max(max, percent, &step);
	svg_open(f, id, title, desc);
	ph = svg_axes(f, top, step, percent, 10);
	slot = (double)(SVG_W - SVG_L - 10) / (n > 0 ? n : 1);
	bw = slot * 0.7;
	for (int i = 0; i < n; i++) {
		double cx = SVG_L + slot * i + slot / 2;
		if (values[i] >= 0) {
			double h = values[i] / top * ph, y = SVG_T + ph - h;
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			           "fill=\"#0b4f8a\" stroke=\"#1a1a1a\" stroke-width=\"0.8\"/>",
			        cx - bw / 2, y, bw, h);
			if (n <= 26)
				fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g%s</text>",
				        cx, y - 4, values[i], percent ? "%" : "");
		}
		if (marked && marked[i])
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#a40000\">"
			           "&#9888;</text>",
			        cx, SVG_T - 2);
		svg_xlabel(f, i, n, cx, labels[i]);
	}
	fputs("</svg>\n", f);
}

void svg_stacked(FILE *f, const char *id, const char *title, const char *desc, int n,
                 const char *const *labels, int k, const struct svg_series *series)
{
	double max = 0, step, top, ph, slot, bw;

	for (int i = 0; i < n; i++) {
		double sum = 0;
		for (int j = 0; j < k; j++)
			sum += series[j].v[i] > 0 ? series[j].v[i] : 0;
		if (sum > max)
			max = sum;
	}
	top = svg_axis_max(max, 0, &step);
	svg_open(f, id, title, desc);
	ph = svg_axes(f, top, step, 0, 180);
	slot = (double)(SVG_W - SVG_L - 180) / (n > 0 ? n : 1);
	bw = slot * 0.7;
	for (int i = 0; i < n; i++) {
		double cx = SVG_L + slot * i + slot / 2, base = SVG_T + ph;
		for (int j = 0; j < k && j < 3; j++) {
			double v = series[j].v[i], h = v > 0 ? v / top * ph : 0;
			if (h <= 0)
				continue;
			base -= h;
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
			           "stroke=\"#1a1a1a\" stroke-width=\"0.8\"/>",
			        cx - bw / 2, base, bw, h, svg_level_fill[j]);
			if (h >= 14 && bw >= 14)
				fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"%s\" "
				           "style=\"fill:%s;paint-order:stroke\" stroke=\"%s\" "
				           "stroke-width=\"%s\">%g</text>",
				        cx, base + h / 2 + 4, svg_level_text[j], svg_level_text[j],
				        j == 2 ? "none" : "#ffffff", j == 2 ? "0" : "3", v);
		}
		svg_xlabel(f, i, n, cx, labels[i]);
	}
	/* Legend: swatch with the same pattern, and the name. */
	for (int j = 0; j < k && j < 3; j++) {
		double y = SVG_T + 10 + j * 26;
		fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"18\" height=\"18\" fill=\"%s\" "
		           "stroke=\"#1a1a1a\"/><text x=\"%d\" y=\"%.1f\">",
		        SVG_W - 172, y, svg_level_fill[j], SVG_W - 148, y + 14);
		html_esc(f, series[j].name);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n", f);
}

/* A marker shape per series: circle, square, triangle, diamond, ... */
static void svg_marker(FILE *f, int j, double x, double y, const char *colour)
{
	switch (j % 4) {
	case 0:
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>", x, y, colour);
		break;
	case 1:
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\" fill=\"%s\"/>", x - 4,
		        y - 4, colour);
		break;
	case 2:
		fprintf(f, "<path d=\"M%.1f,%.1f l5,9 h-10 z\" fill=\"%s\"/>", x, y - 5, colour);
		break;
	default:
		fprintf(f, "<path d=\"M%.1f,%.1f l5,5 l-5,5 l-5,-5 z\" fill=\"#ffffff\" stroke=\"%s\" "
		           "stroke-width=\"2\"/>",
		        x, y - 5, colour);
	}
}

void svg_lines(FILE *f, const char *id, const char *title, const char *desc, int n,
               const char *const *labels, int k, const struct svg_series *series, int percent)
{
	double max = 0, step, top, ph, slot;
	int right = k > 1 ? 120 : 10;

	for (int j = 0; j < k; j++)
		for (int i = 0; i < n; i++)
			if (series[j].v[i] > max)
				max = series[j].v[i];
	top = svg_axis_max(max, percent, &step);
	svg_open(f, id, title, desc);
	ph = svg_axes(f, top, step, percent, right);
	slot = (double)(SVG_W - SVG_L - right) / (n > 0 ? n : 1);
	for (int i = 0; i < n; i++)
		svg_xlabel(f, i, n, SVG_L + slot * i + slot / 2, labels[i]);
	for (int j = 0; j < k; j++) {
		const char *colour = svg_line_colour[j % 6];
		int pen = 0, last = -1;
		fprintf(f, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\"%s%s%s d=\"", colour,
		        svg_line_dash[j % 6][0] ? " stroke-dasharray=\"" : "", svg_line_dash[j % 6],
		        svg_line_dash[j % 6][0] ? "\"" : "");
		for (int i = 0; i < n; i++) {
			double v = series[j].v[i];
			if (v < 0) {
				pen = 0;
				continue;
			}
			fprintf(f, "%s%.1f,%.1f ", pen ? "L" : "M", SVG_L + slot * i + slot / 2,
			        SVG_T + ph - v / top * ph);
			pen = 1;
		}
		fputs("\"/>\n", f);
		for (int i = 0; i < n; i++) {
			double v = series[j].v[i];
			if (v < 0)
				continue;
			svg_marker(f, j, SVG_L + slot * i + slot / 2, SVG_T + ph - v / top * ph, colour);
			last = i;
		}
		if (k > 1 && last >= 0) {
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" style=\"fill:%s\">",
			        SVG_L + slot * last + slot / 2 + 8,
			        SVG_T + ph - series[j].v[last] / top * ph + 4 + 13 * j - 13 * (k - 1) / 2.0,
			        colour,
			        colour);
			html_esc(f, series[j].name);
			fputs("</text>", f);
		}
		fputc('\n', f);
	}
	fputs("</svg>\n", f);
}

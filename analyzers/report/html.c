/* html.c -- one self-contained page: no network, a small inline script.
 *
 * The page reads from the top down as the text report does: the findings,
 * then a chart per flagged process and for the processes with the most
 * waste (chart.c), then the processes in a table, by name by default
 * (every process counted in its name's row) or one row each (the top
 * GHA_HTML_ROWS, or all with --all).  The tables are plain HTML, sorted
 * as the text report sorts; the script sorts them by any column, filters
 * them by name or to the flagged ones, switches between the two views and
 * keeps that state in the URL's #fragment (a link to a view is a view).
 * With #selftest in the fragment it also checks its own layout (no label
 * over another, nothing wider than the window) and writes the verdict in
 * <body data-selftest>, which the headless-browser test reads.
 */
#include "html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FINDINGS_MAX 100 /* findings listed in full without --all */

static size_t top_of(const struct gha_view *v) {
  return v && v->top ? v->top : GHA_TOP_DEFAULT;
}

/* ---- head and script ------------------------------------------------------ */

static const char style[] =
    "[hidden]{display:none!important}"
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#222;"
    "margin:0 auto;max-width:1180px;padding:0 16px 40px}"
    "h1{font-size:1.5em;margin:.8em 0 .2em}h2{font-size:1.2em;margin:1.6em 0 .4em;"
    "border-bottom:1px solid #ddd;padding-bottom:2px}"
    ".summary,.note{color:#555}.note{font-size:13px}"
    "nav a{margin-right:14px}"
    ".badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;"
    "font-weight:600;border:1px solid;margin-right:4px}"
    ".badge.warning,.badge.error{background:#fdecea;color:#a93226;border-color:#e6b0aa}"
    ".badge.info{background:#eaf2f8;color:#1f618d;border-color:#a9cce3}"
    ".badge.measured{background:#e9f7ef;color:#1e8449;border-color:#a9dfbf}"
    ".badge.estimated,.badge.held{background:#fef5e7;color:#9c640c;border-color:#f8c471}"
    "ol.findings{padding-left:1.6em}ol.findings li{margin-bottom:12px}"
    ".msg{margin:2px 0}.fix{color:#333}.fix i,.msg i{color:#666}"
    "figure.chart{margin:10px 0 22px;border:1px solid #ddd;border-radius:4px;"
    "padding:8px;min-width:0}"
    "figure.chart figcaption{margin-bottom:4px}figure.chart figcaption "
    "b{margin-right:6px}"
    "svg.gha-chart{display:block;width:100%;height:auto}"
    "svg.gha-chart text{font-family:system-ui,sans-serif;font-size:11px;fill:#333}"
    "svg.gha-chart .axis-title{fill:#555}svg.gha-chart "
    ".idle-label{fill:#777;font-size:10px}"
    "svg.gha-chart .above-label{paint-order:stroke;stroke:#fff;stroke-width:3px}"
    ".legend span{margin-right:14px;white-space:nowrap;display:inline-block}"
    ".legend i{display:inline-block;width:16px;height:3px;vertical-align:middle;"
    "margin-right:4px}.legend i.area{height:10px;opacity:.4}"
    ".legend i.hatch{height:10px;border:1px dashed #c0392b;background:repeating-"
    "linear-gradient(45deg,#c0392b 0 1px,transparent 1px 5px)}"
    ".controls{display:flex;flex-wrap:wrap;gap:6px 16px;align-items:center;margin:8px 0}"
    ".controls input[type=search]{width:16em}"
    ".table-wrap{overflow-x:auto;max-width:100%}"
    "table{border-collapse:collapse;font-size:13px}"
    "th,td{border-bottom:1px solid #e8e8e8;padding:3px 8px;text-align:right;"
    "white-space:nowrap}th:first-child,td:first-child{text-align:left}"
    "th{background:#f5f5f5;cursor:pointer;user-select:none;position:sticky;top:0}"
    "th.sorted-asc::after{content:' \\25B2'}th.sorted-desc::after{content:' \\25BC'}"
    "tr.flagged td:first-child{box-shadow:inset 3px 0 #c0392b}"
    "td .gname{color:#1f618d;cursor:pointer;text-decoration:underline}"
    ".pair{display:flex;flex-wrap:wrap;gap:12px}.pair>figure,.pair>div{flex:1 1 420px}"
    ".pair svg.gha-chart text{font-size:14px}.pair svg.gha-chart "
    ".idle-label{font-size:12px}"
    "table.cmp-findings th,table.cmp-findings td{text-align:left}"
    ".delta-better{color:#1e8449}.delta-worse{color:#a93226}";

void gha_html_begin(FILE *out, const char *title) {
  fputs(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      out);
  gha_put_xml_text(out, title);
  fprintf(out, "</title>\n<style>%s</style></head>\n<body>\n", style);
  /* the hatch of estimated waste, shared by every chart */
  fputs(
      "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\">"
      "<defs><pattern id=\"gha-hatch\" width=\"6\" height=\"6\" "
      "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
      "<rect width=\"6\" height=\"6\" fill=\"#c0392b\" fill-opacity=\"0.06\"/>"
      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#c0392b\" stroke-width=\"1.5\" "
      "stroke-opacity=\"0.55\"/></pattern></defs></svg>\n",
      out);
}

static const char script[] =
    "(function(){'use strict';\n"
    "function $(s,e){return (e||document).querySelector(s);}\n"
    "function $$(s,e){return "
    "Array.prototype.slice.call((e||document).querySelectorAll(s));}\n"
    "var st={view:'groups',filter:'',flagged:'',sort:'',dir:'',chart:''};\n"
    "function parse(){var h=location.hash.replace(/^#/,'');\n"
    " h.split('&').forEach(function(kv){var i=kv.indexOf('=');if(i<0)return;\n"
    "  var k=decodeURIComponent(kv.slice(0,i)),v=decodeURIComponent(kv.slice(i+1));\n"
    "  if(Object.prototype.hasOwnProperty.call(st,k))st[k]=v;});}\n"
    "function save(){var h=['view='+st.view];\n"
    " if(st.filter)h.push('filter='+encodeURIComponent(st.filter));\n"
    " if(st.flagged)h.push('flagged=1');\n"
    " if(st.sort)h.push('sort='+st.sort,'dir='+st.dir);\n"
    " if(st.chart)h.push('chart='+encodeURIComponent(st.chart));\n"
    " if(/selftest/.test(location.hash))h.push('selftest');\n"
    " history.replaceState(null,'','#'+h.join('&'));}\n"
    /* #chart=ID: that chart alone (its pair on the comparison page), with
       the legend: a link to one chart, and what the screenshots show */
    "function only(){var t=st.chart&&document.getElementById(st.chart);\n"
    " $$('body>*').forEach(function(e){\n"
    "  if(e.tagName==='SCRIPT'||e.hasAttribute('aria-hidden'))return;\n"
    "  e.hidden=!!t&&!e.contains(t)&&!e.classList.contains('legend');});}\n"
    "function apply(){only();\n"
    " $$('.proc-table').forEach(function(t){t.hidden=t.getAttribute('data-view')!==st."
    "view;});\n"
    " var v=$('input[name=view][value='+st.view+']');if(v)v.checked=true;\n"
    " var fi=$('#filter');if(fi&&fi.value!==st.filter)fi.value=st.filter;\n"
    " var fl=$('#flagged');if(fl)fl.checked=!!st.flagged;\n"
    " $$('.proc-table').forEach(function(w){\n"
    "  var "
    "t=$('table',w),body=t.tBodies[0],rows=$$('tr',body),f=st.filter.toLowerCase();\n"
    "  "
    "$$('th',t).forEach(function(th){th.classList.remove('sorted-asc','sorted-desc');});"
    "\n"
    "  var th=st.sort&&$('th[data-key=\"'+st.sort+'\"]',t);\n"
    "  if(th){var c=th.cellIndex,num=th.hasAttribute('data-num'),d=st.dir==='asc'?1:-1;\n"
    "   th.classList.add(d>0?'sorted-asc':'sorted-desc');\n"
    "   rows.sort(function(a,b){var x=a.cells[c],y=b.cells[c],r=num?\n"
    "    parseFloat(x.getAttribute('data-v'))-parseFloat(y.getAttribute('data-v')):\n"
    "    x.textContent.localeCompare(y.textContent);\n"
    "    return r*d||(+a.getAttribute('data-i'))-(+b.getAttribute('data-i'));});\n"
    "  }else rows.sort(function(a,b){return "
    "a.getAttribute('data-i')-b.getAttribute('data-i');});\n"
    "  var shown=0;rows.forEach(function(r){body.appendChild(r);\n"
    "   var ok=(!f||r.getAttribute('data-search').indexOf(f)>=0)&&\n"
    "    (!st.flagged||r.classList.contains('flagged'));r.hidden=!ok;if(ok)shown++;});\n"
    "  var n=$('.shown',w);if(n)n.textContent=shown;});}\n"
    "function set(k,v){st[k]=v;save();apply();}\n"
    "$$('.proc-table th[data-key]').forEach(function(th){th.addEventListener('click',\n"
    " function(){var k=th.getAttribute('data-key');\n"
    "  if(st.sort===k)set('dir',st.dir==='asc'?'desc':'asc');\n"
    "  else{st.dir=th.hasAttribute('data-num')?'desc':'asc';set('sort',k);}});});\n"
    "var "
    "fi=$('#filter');if(fi)fi.addEventListener('input',function(){set('filter',fi.value);"
    "});\n"
    "var "
    "fl=$('#flagged');if(fl)fl.addEventListener('change',function(){set('flagged',fl."
    "checked?'1':'');});\n"
    "$$('input[name=view]').forEach(function(r){r.addEventListener('change',function(){"
    "set('view',r.value);});});\n"
    "$$('.gname').forEach(function(a){a.addEventListener('click',function(){\n"
    " st.filter=a.getAttribute('data-name');set('view','procs');});});\n"
    "window.addEventListener('hashchange',function(){parse();apply();});\n"
    "parse();apply();\n"
    /* the layout self-check (#selftest): what a screenshot would show wrong */
    "function selftest(){var bad=[],W=window.innerWidth;\n"
    " if(document.documentElement.scrollWidth>W+1)bad.push('page wider than the window "
    "('+\n"
    "  document.documentElement.scrollWidth+' > '+W+')');\n"
    " $$('svg.gha-chart').forEach(function(svg){var "
    "id=svg.id,r=svg.getBoundingClientRect();\n"
    "  if(r.width<200||r.right>W+1)bad.push(id+': drawn '+Math.round(r.width)+' px "
    "wide');\n"
    "  var vb=svg.viewBox.baseVal,boxes=[];\n"
    "  $$('text',svg).forEach(function(t){var "
    "b=t.getBBox(),m=t.getScreenCTM(),s=svg.getScreenCTM();\n"
    "   var "
    "p=svg.createSVGPoint();p.x=b.x;p.y=b.y;p=p.matrixTransform(s.inverse().multiply(m));"
    "\n"
    "   var "
    "q=svg.createSVGPoint();q.x=b.x+b.width;q.y=b.y+b.height;q=q.matrixTransform(s."
    "inverse().multiply(m));\n"
    "   var "
    "x0=Math.min(p.x,q.x),x1=Math.max(p.x,q.x),y0=Math.min(p.y,q.y),y1=Math.max(p.y,q.y);"
    "\n"
    "   if(x0<vb.x-1||y0<vb.y-1||x1>vb.x+vb.width+1||y1>vb.y+vb.height+1)\n"
    "    bad.push(id+': label \"'+t.textContent+'\" outside the chart');\n"
    "   "
    "boxes.push({t:t.textContent,c:t.getAttribute('class'),x0:x0,x1:x1,y0:y0,y1:y1});});"
    "\n"
    "  for(var i=0;i<boxes.length;i++)for(var j=i+1;j<boxes.length;j++){var "
    "a=boxes[i],b=boxes[j];\n"
    "   if(a.x0<b.x1-1&&b.x0<a.x1-1&&a.y0<b.y1-1&&b.y0<a.y1-1)\n"
    "    bad.push(id+': \"'+a.t+'\" over \"'+b.t+'\"');}\n"
    "  var pts=$$('circle.pt',svg).length;\n"
    "  if(pts!=svg.getAttribute('data-points'))bad.push(id+': '+pts+' points "
    "drawn');});\n"
    " document.body.setAttribute('data-selftest',bad.length?'fail: '+bad.join('; "
    "'):'ok');}\n"
    "if(/selftest/.test(location.hash))selftest();\n"
    "})();\n";

void gha_html_end(FILE *out) {
  fprintf(out, "<script>\n%s</script>\n</body></html>\n", script);
}

/* ---- findings ------------------------------------------------------------- */

void gha_html_finding_badges(FILE *out, const struct gha_finding *f) {
  fprintf(out, "<span class=\"badge %s\">%s</span>", gha_severity_name(f->severity),
          gha_severity_name(f->severity));
  if (f->analysis == GHA_IDLE_BURST)
    fputs("<span class=\"badge held\">memory held, may be live</span>", out);
  else if (f->measured)
    fprintf(out, "<span class=\"badge measured\">measured by %s</span>", f->evidence);
  else
    fputs("<span class=\"badge estimated\">estimated</span>", out);
}

/* The chart of a process, if it has one: its index + 1, else 0. */
static size_t chart_of(const struct gha_proc *const *charts, size_t n,
                       const struct gha_proc *p) {
  for (size_t i = 0; i < n; i++)
    if (charts[i] == p)
      return i + 1;
  return 0;
}

static void one_finding(FILE *out, const struct gha_analyzer *an,
                        const struct gha_finding *f, size_t chart) {
  char label[128], msg[GHA_MESSAGE_MAX];
  gha_proc_label(an, f->proc, label, sizeof label);
  fprintf(out, "<li class=\"finding %s\">", gha_severity_name(f->severity));
  gha_html_finding_badges(out, f);
  fprintf(out, "<b>%s</b> ", gha_analysis_name(f->analysis));
  if (chart)
    fprintf(out, "<a href=\"#chart-%zu\">", chart);
  gha_put_xml_text(out, label);
  fputs(chart ? "</a>" : "", out);
  gha_finding_message(an, f, msg, sizeof msg);
  fputs("<div class=\"msg\">", out);
  gha_put_xml_text(out, msg);
  if (f->would_free_kind)
    fprintf(out, "<br><i>a full sweep would free</i> %llu words (%s)",
            (unsigned long long)f->would_free, f->would_free_kind);
  fputs("</div><div class=\"fix\"><i>fix:</i> ", out);
  gha_put_xml_text(out, f->fix);
  fputs("</div></li>\n", out);
}

static void findings(FILE *out, const struct gha_analyzer *an, const struct gha_view *v,
                     const struct gha_proc *const *charts, size_t ncharts) {
  size_t n = gha_finding_count(an), warn = 0;
  for (size_t i = 0; i < n; i++)
    warn += gha_finding_at(an, i)->severity >= GHA_SEV_WARNING;
  fprintf(out, "<h2 id=\"findings\">Findings (%zu)</h2>\n", n);
  if (!n) {
    fputs("<p>No findings: no process held measured waste for long, and none looks "
          "like it did.</p>\n",
          out);
    return;
  }
  fputs("<p class=\"note\">", out);
  if (warn)
    fprintf(out, "%zu warning%s (measured waste)%s", warn, warn == 1 ? "" : "s",
            n > warn ? ", " : "");
  if (n > warn)
    fprintf(out, "%zu info (estimated, or memory held)", n - warn);
  fputs("; the most severe and the most waste first.</p>\n<ol class=\"findings\">\n",
        out);
  const struct gha_finding **ranked = gha_findings_ranked(an);
  size_t shown = v && v->all ? n : (n < FINDINGS_MAX ? n : FINDINGS_MAX);
  for (size_t i = 0; i < shown; i++) {
    const struct gha_finding *f = ranked ? ranked[i] : gha_finding_at(an, i);
    one_finding(out, an, f, chart_of(charts, ncharts, f->proc));
  }
  fputs("</ol>\n", out);
  if (shown < n)
    fprintf(out,
            "<p class=\"note\">%zu more findings are not listed (--all lists them): "
            "the process table shows every flagged process it lists with "
            "&#8220;flagged only&#8221;, and the table by name counts them all.</p>\n",
            n - shown);
  free(ranked);
}

/* ---- charts --------------------------------------------------------------- */

/* A process with fewer than two points and no finding has nothing to draw. */
static bool drawable(const struct gha_analyzer *an, const struct gha_proc *p) {
  return p->series_len >= 2 || gha_proc_flagged(an, p);
}

/* Flagged processes first, then the most waste. */
static size_t pick_charts(const struct gha_analyzer *an, size_t top,
                          const struct gha_proc **out) {
  return gha_top_procs(an, top, true, drawable, out);
}

static void caption(FILE *out, const struct gha_analyzer *an, const struct gha_proc *p) {
  char label[128];
  gha_proc_label(an, p, label, sizeof label);
  fputs("<figcaption><b>", out);
  gha_put_xml_text(out, label);
  fputs("</b>", out);
  for (int a = 0; a < GHA_ANALYSES; a++) {
    const struct gha_finding *f = gha_finding_for(an, p, (enum gha_analysis)a);
    if (f) {
      gha_html_finding_badges(out, f);
      fprintf(out, "<b>%s</b> ", gha_analysis_name(f->analysis));
    }
  }
  struct gha_proc_figures fg;
  gha_proc_figures(an, p, &fg);
  char heap[32];
  gha_html_human(heap, sizeof heap, (double)fg.heap_peak);
  fprintf(out,
          "<span class=\"note\">%s, %.3f s of life; %llu minor GCs, %llu full "
          "sweeps, %llu hibernations; peak heap %s words",
          gha_proc_state(p), fg.life_s, (unsigned long long)p->info.minor_gcs,
          (unsigned long long)p->info.full_sweeps,
          (unsigned long long)p->info.hibernations, heap);
  if (p->series_stride > 1)
    fprintf(out, "; one point per %u events", p->series_stride);
  fputs("</span></figcaption>\n", out);
}

static void charts(FILE *out, const struct gha_analyzer *an,
                   const struct gha_proc *const *list, size_t n) {
  size_t flagged = 0;
  for (size_t i = 0; i < n; i++)
    flagged += gha_proc_flagged(an, list[i]);
  fprintf(out, "<h2 id=\"charts\">Charts (%zu)</h2>\n", n);
  fprintf(out,
          "<p class=\"note\">%zu flagged process%s, then the processes with the most "
          "measured waste (then the largest heaps), of %zu; --top N draws more. Heap "
          "figures in words over each process's life; hover a point for its "
          "figures.</p>\n",
          flagged, flagged == 1 ? "" : "es", gha_proc_count(an));
  gha_chart_legend(out);
  for (size_t i = 0; i < n; i++) {
    char id[32];
    snprintf(id, sizeof id, "chart-%zu", i + 1);
    fprintf(out, "<figure class=\"chart%s\">\n",
            gha_proc_flagged(an, list[i]) ? " flagged" : "");
    caption(out, an, list[i]);
    gha_chart(out, an, list[i], 0, id);
    fputs("</figure>\n", out);
  }
}

/* ---- tables --------------------------------------------------------------- */

/* A cell that sorts by its number. */
static void num_cell(FILE *out, double v, const char *shown) {
  fprintf(out, "<td data-v=\"%.6g\">%s</td>", v, shown);
}

static void int_cell(FILE *out, uint64_t v) {
  char s[32];
  snprintf(s, sizeof s, "%llu", (unsigned long long)v);
  num_cell(out, (double)v, s);
}

static void real_cell(FILE *out, double v, const char *fmt) {
  char s[32];
  snprintf(s, sizeof s, fmt, v);
  num_cell(out, v, s);
}

/* The lowercase text the filter matches a row against. */
static void search_attr(FILE *out, const char *s) {
  char low[200];
  size_t i = 0;
  for (; s[i] && i + 1 < sizeof low; i++)
    low[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
  low[i] = '\0';
  fputs(" data-search=\"", out);
  gha_put_xml_text(out, low);
  fputc('"', out);
}

static void th(FILE *out, const char *key, bool num, const char *title,
               const char *text) {
  fprintf(out, "<th data-key=\"%s\"%s title=\"%s\">%s</th>", key, num ? " data-num" : "",
          title, text);
}

static void group_table(FILE *out, const struct gha_analyzer *an,
                        const struct gha_groups *g, const struct gha_view *v) {
  size_t shown = v && v->all ? g->n : (g->n < GHA_HTML_GROUPS ? g->n : GHA_HTML_GROUPS);
  fprintf(out,
          "<div class=\"proc-table\" data-view=\"groups\"><p class=\"note\">"
          "<span class=\"shown\">%zu</span> of %zu names shown; each row counts every "
          "process of that name (click a name for its processes).</p>\n"
          "<div class=\"table-wrap\"><table><thead><tr>",
          shown, g->n);
  th(out, "name", false, "process name", "name");
  th(out, "host", false, "host", "host");
  th(out, "count", true, "processes of this name", "processes");
  th(out, "flagged", true, "processes with a finding", "flagged");
  th(out, "warnings", true, "warning findings (measured waste)", "warnings");
  th(out, "waste", true, "measured waste, word-seconds, summed", "waste word&#183;s");
  th(out, "peak", true, "largest measured waste of one process, words", "peak waste");
  th(out, "heapmin", true, "smallest peak heap, words", "heap min");
  th(out, "heapmean", true, "mean peak heap, words", "heap mean");
  th(out, "heapmax", true, "largest peak heap, words", "heap max");
  th(out, "lifemin", true, "shortest life, s", "life min");
  th(out, "lifemax", true, "longest life, s", "life max");
  th(out, "gcs", true, "mean GCs (minor + full) per process", "GCs mean");
  th(out, "states", false, "how their lives ended", "states");
  fputs("</tr></thead><tbody>\n", out);
  static const char *const state_names[] = {"alive", "exited", "killed", "freed"};
  for (size_t i = 0; i < shown; i++) {
    const struct gha_group *x = &g->v[i];
    const char *name = x->name[0] ? x->name : "(unnamed)";
    fprintf(out, "<tr data-i=\"%zu\"%s", i, x->flagged ? " class=\"flagged\"" : "");
    search_attr(out, name);
    fputs("><td><span class=\"gname\" data-name=\"", out);
    gha_put_xml_text(out, x->name);
    fputs("\">", out);
    gha_put_xml_text(out, name);
    fputs("</span></td><td>", out);
    gha_put_xml_text(out, gha_host_name(an, x->host));
    fputs("</td>", out);
    double c = (double)x->count;
    int_cell(out, x->count);
    int_cell(out, x->flagged);
    int_cell(out, x->warnings);
    real_cell(out, x->waste_ws, "%.4g");
    int_cell(out, x->waste_peak);
    int_cell(out, (uint64_t)x->heap.min);
    int_cell(out, (uint64_t)llround(x->heap.sum / c));
    int_cell(out, (uint64_t)x->heap.max);
    real_cell(out, x->life_s.min, "%.4g");
    real_cell(out, x->life_s.max, "%.4g");
    real_cell(out, x->gcs.sum / c, "%.3g");
    fputs("<td>", out);
    bool first = true;
    for (int s = 0; s < GHA_STATES; s++)
      if (x->states[s]) {
        fprintf(out, "%s%zu %s", first ? "" : ", ", x->states[s], state_names[s]);
        first = false;
      }
    fputs("</td></tr>\n", out);
  }
  fputs("</tbody></table></div>", out);
  if (shown < g->n)
    fprintf(out,
            "<p class=\"note\">%zu more names, with less waste, are left out (--all "
            "lists them).</p>",
            g->n - shown);
  fputs("</div>\n", out);
}

static void proc_row(FILE *out, const struct gha_analyzer *an, const struct gha_proc *p,
                     size_t i) {
  char label[128];
  gha_proc_label(an, p, label, sizeof label);
  struct gha_proc_figures f;
  gha_proc_figures(an, p, &f);
  fprintf(out, "<tr data-i=\"%zu\"%s", i, f.severity >= 0 ? " class=\"flagged\"" : "");
  search_attr(out, label);
  fputs("><td>", out);
  gha_put_xml_text(out, label);
  fprintf(out, "</td><td>%s</td><td data-v=\"%d\">", gha_proc_state(p), f.severity);
  for (int a = 0; a < GHA_ANALYSES; a++) {
    const struct gha_finding *x = gha_finding_for(an, p, (enum gha_analysis)a);
    if (x)
      fprintf(out, "<span class=\"badge %s\">%s</span>", gha_severity_name(x->severity),
              gha_analysis_name(a));
  }
  fputs("</td>", out);
  real_cell(out, f.waste_ws, "%.4g");
  int_cell(out, f.waste_peak);
  int_cell(out, f.heap_peak);
  real_cell(out, f.life_s, "%.4g");
  int_cell(out, p->info.minor_gcs);
  int_cell(out, p->info.full_sweeps);
  int_cell(out, p->info.hibernations);
  real_cell(out, (double)gha_pause_percentile(p, 99) / 1e3, "%.1f");
  fputs("</tr>\n", out);
}

static int ptr_order(const void *a, const void *b) {
  const void *x = *(const void *const *)a, *y = *(const void *const *)b;
  return x < y ? -1 : x > y;
}

/* The top GHA_HTML_ROWS processes (all with --all), and the first process
 * of every name listed by name, so that a name's row always leads to one
 * of its processes. */
static size_t proc_rows(const struct gha_analyzer *an, const struct gha_groups *g,
                        const struct gha_view *v, const struct gha_proc ***out) {
  size_t n = gha_proc_count(an), groups = g->n < GHA_HTML_GROUPS ? g->n : GHA_HTML_GROUPS;
  size_t cap = v && v->all ? n : (n < GHA_HTML_ROWS ? n : GHA_HTML_ROWS);
  const struct gha_proc **list = malloc((cap + groups + 1) * sizeof *list);
  const struct gha_proc **sorted = malloc((cap + 1) * sizeof *sorted);
  size_t rows = 0;
  if (list && sorted) {
    size_t ranked = rows = gha_top_procs(an, cap, true, NULL, list);
    memcpy(sorted, list, ranked * sizeof *list);
    qsort(sorted, ranked, sizeof *sorted, ptr_order);
    for (size_t i = 0; i < groups && rows < n; i++) {
      const struct gha_proc *p = g->v[i].top;
      if (!bsearch(&p, sorted, ranked, sizeof *sorted, ptr_order))
        list[rows++] = p;
    }
  }
  free(sorted);
  *out = list;
  return rows;
}

static void proc_table(FILE *out, const struct gha_analyzer *an,
                       const struct gha_groups *g, const struct gha_view *v) {
  size_t n = gha_proc_count(an);
  const struct gha_proc **list;
  size_t shown = proc_rows(an, g, v, &list);
  fprintf(out,
          "<div class=\"proc-table\" data-view=\"procs\" hidden><p class=\"note\">"
          "<span class=\"shown\">%zu</span> of %zu processes shown%s.</p>\n"
          "<div class=\"table-wrap\"><table><thead><tr>",
          shown, n,
          shown < n ? " (flagged first, then the most waste, and the first of each name; "
                      "--all lists every one)"
                    : "");
  th(out, "process", false, "host/vpid/pid(name)", "process");
  th(out, "state", false, "how its life ended", "state");
  th(out, "findings", true, "its findings", "findings");
  th(out, "waste", true, "measured waste, word-seconds", "waste word&#183;s");
  th(out, "peak", true, "largest measured waste, words", "peak waste");
  th(out, "heap", true, "peak heap, words", "peak heap");
  th(out, "life", true, "observed life, s", "life s");
  th(out, "minor", true, "minor GCs", "minor");
  th(out, "sweeps", true, "full sweeps", "sweeps");
  th(out, "hiber", true, "hibernations", "hiber");
  th(out, "p99", true, "99th percentile GC pause, microseconds", "p99 pause &#181;s");
  fputs("</tr></thead><tbody>\n", out);
  for (size_t i = 0; i < shown; i++)
    proc_row(out, an, list[i], i);
  fputs("</tbody></table></div></div>\n", out);
  free(list);
}

static void tables(FILE *out, const struct gha_analyzer *an, const struct gha_groups *g,
                   const struct gha_view *v) {
  fprintf(out, "<h2 id=\"processes\">Processes (%zu)</h2>\n", gha_proc_count(an));
  fputs("<div class=\"controls\"><label>filter <input type=\"search\" id=\"filter\" "
        "placeholder=\"name, host or pid\"></label>"
        "<label><input type=\"checkbox\" id=\"flagged\"> flagged only</label>"
        "<span>show <label><input type=\"radio\" name=\"view\" value=\"groups\" checked> "
        "by name</label> <label><input type=\"radio\" name=\"view\" value=\"procs\"> "
        "each process</label></span>"
        "<span class=\"note\">click a column to sort</span></div>\n",
        out);
  group_table(out, an, g, v);
  proc_table(out, an, g, v);
}

/* ---- the page ------------------------------------------------------------- */

/* Events, processes, names, trace time, lost events, inputs, runtimes. */
void gha_html_summary(FILE *out, const struct gha_analyzer *an,
                      const struct gha_run_info *run, size_t names) {
  uint64_t span = gha_trace_end_ns(an) - gha_trace_begin_ns(an);
  fprintf(out,
          "<p class=\"summary\">%llu events, %zu processes (%zu names), %.3f s of "
          "trace, %llu events lost",
          (unsigned long long)gha_event_count(an), gha_proc_count(an), names,
          (double)span / 1e9, (unsigned long long)gha_discarded_count(an));
  for (size_t i = 0; run && i < run->ninputs; i++) {
    fputs(i ? ", " : "; read from ", out);
    gha_put_xml_text(out, run->inputs[i]);
  }
  fputs(".</p>\n", out);
  for (size_t i = 0; i < gha_origin_count(an); i++) {
    fputs("<p class=\"runtime\">runtime: ", out);
    gha_put_xml_text(out, gha_origin_at(an, i, NULL));
    fputs("</p>\n", out);
  }
  if (gha_recorder_sweep_count(an))
    fprintf(out,
            "<p>The recorder swept %llu BEAM process(es) that the analyses could flag, "
            "and recorded what each sweep freed: measured waste (BEAM counts live "
            "words only by collecting).</p>\n",
            (unsigned long long)gha_recorder_sweep_count(an));
}

int gha_report_html_view(FILE *out, const struct gha_analyzer *an,
                         const struct gha_run_info *run, const struct gha_view *v) {
  struct gha_groups g;
  if (gha_groups_build(an, &g) < 0)
    return -1;
  size_t top = top_of(v);
  const struct gha_proc **list = malloc(top * sizeof *list);
  size_t n = list ? pick_charts(an, top, list) : 0;
  gha_html_begin(out, "genheap-analyze report");
  fputs("<h1>genheap-analyze report</h1>\n", out);
  gha_html_summary(out, an, run, g.n);
  fputs("<nav><a href=\"#findings\">findings</a><a href=\"#charts\">charts</a>"
        "<a href=\"#processes\">processes</a></nav>\n",
        out);
  findings(out, an, v, list, n);
  charts(out, an, list, n);
  tables(out, an, &g, v);
  gha_html_end(out);
  free(list);
  gha_groups_free(&g);
  return ferror(out) ? -1 : 0;
}

int gha_report_html(FILE *out, const struct gha_analyzer *an,
                    const struct gha_run_info *run) {
  return gha_report_html_view(out, an, run, NULL);
}

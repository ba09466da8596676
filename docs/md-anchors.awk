#!/usr/bin/awk -f
# Doxygen input filter for the guides (docs/Doxyfile.in, FILTER_PATTERNS):
# makes their GitHub-style anchor links work in the HTML reference without
# changing the Markdown that GitHub renders.
#  - Every heading below the title gets an explicit id, `{#<page>-<slug>}`,
#    where <slug> is GitHub's anchor for the heading (lower case,
#    punctuation dropped, spaces as '-', "-1", "-2", ... for repeats) and
#    <page> is the file's name without ".md": labels are global in Doxygen.
#  - Links `(#slug)` and `(page.md#slug)` point to those ids.
# Fenced code blocks are left alone.
function slug(s,    t) {
    t = tolower(s)
    gsub(/[^a-z0-9 _-]/, "", t)
    gsub(/ /, "-", t)
    return t
}
function page_of(path,    p) {
    p = path
    sub(/.*\//, "", p)
    sub(/\.md$/, "", p)
    gsub(/[^A-Za-z0-9_-]/, "_", p)
    return p
}
BEGIN { fence = 0 }
FNR == 1 { page = page_of(FILENAME); delete seen }
/^[ ]*(```|~~~)/ { fence = !fence; print; next }
fence { print; next }
{
    line = $0
    # links to a heading of this guide (#slug) or of another (page.md#slug)
    out = ""
    while (match(line, /\]\(([A-Za-z0-9_.\/-]+\.md)?#[^) ]+\)/)) {
        target = substr(line, RSTART + 2, RLENGTH - 3)
        n = index(target, "#")
        dest = n == 1 ? page : page_of(substr(target, 1, n - 1))
        out = out substr(line, 1, RSTART - 1) "](#" dest "-" substr(target, n + 1) ")"
        line = substr(line, RSTART + RLENGTH)
    }
    line = out line
    if (line ~ /^##+ / && line !~ /\{#[^}]*\}[ ]*$/) {
        text = line
        sub(/^#+ +/, "", text)
        sub(/ +#* *$/, "", text)
        id = slug(text)
        if (id in seen) { seen[id]++; id = id "-" seen[id] } else seen[id] = 0
        line = line " {#" page "-" id "}"
    }
    print line
}

#!/usr/bin/env bash
# Builds the .xlsx/.csv reader's libFuzzer target with clang (address and
# undefined-behaviour sanitizers) and runs it briefly from a seed corpus of
# real workbooks. Usage: tests/fuzz/run.sh [seconds] (default 20).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-20}
out=$root/build/fuzz
mkdir -p "$out/corpus"
clang=$(command -v clang++-14 || command -v clang++)
if [ ! -x "$out/xlsx_fuzz" ] || [ "$root/src/common/tabular.cc" -nt "$out/xlsx_fuzz" ] ||
   [ "$root/tests/fuzz/xlsx_fuzz.cc" -nt "$out/xlsx_fuzz" ]; then
  "$clang" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I "$root/src" "$root/tests/fuzz/xlsx_fuzz.cc" "$root/src/common/tabular.cc" \
    "$root/src/common/time.cc" "$root/src/common/result.cc" \
    $(pkg-config --cflags --libs libzip expat fmt) -o "$out/xlsx_fuzz"
fi
# Seeds: a workbook with shared and inline strings, numbers, a formula and a
# merge; the same as CSV, UTF-8 and GB18030.
python3 - "$out/corpus" <<'PY'
import sys, zipfile, os
d = sys.argv[1]
parts = {
    "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    "xl/workbook.xml": '<workbook xmlns:r="r"><workbookPr date1904="0"/><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="x/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    "xl/sharedStrings.xml": '<sst><si><t>姓名</t></si><si><r><t>身份</t></r><r><t>证号</t></r></si><si><t>张三</t></si></sst>',
    "xl/worksheets/sheet1.xml": '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="inlineStr"><is><t>11010519491231002X</t></is></c><c r="C2"><v>32874</v></c><c r="D2"><f>1+1</f><v>2</v></c></row></sheetData>'
        '<mergeCells><mergeCell ref="A3:B3"/></mergeCells></worksheet>',
}
with zipfile.ZipFile(os.path.join(d, "seed.xlsx"), "w", zipfile.ZIP_DEFLATED) as z:
    for name, text in parts.items():
        z.writestr(name, text)
csv = "姓名,身份证号\r\n\"张,三\",11010519491231002X\r\n"
open(os.path.join(d, "seed.csv"), "wb").write(csv.encode("utf-8"))
open(os.path.join(d, "seed-gbk.csv"), "wb").write(csv.encode("gb18030"))
PY
cd "$out"
ASAN_OPTIONS=detect_leaks=1 ./xlsx_fuzz -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 \
  -max_len=65536 corpus 2>&1 | tail -5

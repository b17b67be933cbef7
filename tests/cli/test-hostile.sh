# Hostile evidence (tests/hostile/make-corpus.sh): names and values that
# try to drive the reader's terminal, archive bombs, deep nesting, many
# members, links, lying headers, gzip trailers that lie and what follows
# the last gzip member.  Each import ends with exit 0, a sound
# database and the accounting identity; nothing is written outside the
# database; no output format lets a control character through.  Also
# replays the fuzzers' regression inputs (tests/fuzz/regress/).
# test-badinput.sh has the first cases (../, absolute names, ESC, gzip
# bombs, cut archives); this extends them.
. tests/cli/lib.sh

H=$T/h
sh "$TOP/tests/hostile/make-corpus.sh" "$H"
mkdir "$T/cwd"
cd "$T/cwd"
for p in /tmp/kubesift-escape.log /tmp/kubesift-abs.log /tmp/kubesift-link-target; do
	[ ! -e "$p" ] || fail "$p exists before the test: remove it"
done

# Bytes that must never reach stdout from evidence: C0 controls but TAB and
# LF (so ESC, BEL, BS, CR), DEL, C1 controls, zero-width and bidi
# characters, line and paragraph separators, BOM.
BAD=$(printf '[\001-\010\013-\037\177]|\302[\200-\237]|\342\200[\213-\217\250-\256]|\342\201[\240-\257]|\357\273\277')

# clean FILE WHAT [csv]: no forbidden byte in FILE (csv: CRLF allowed).
clean() {
	if [ "${3:-}" = csv ]; then
		sed 's/\r$//' "$1" > "$1.lf"
		set -- "$1.lf" "$2"
	fi
	if grep -qE "$BAD" "$1"; then
		fail "$2: raw control or format character: $(grep -E "$BAD" "$1" | head -n 2 | od -c | head -n 6)"
	fi
}

# json_ok FILE WHAT: FILE is one JSON value; jsonl_ok: one per line.
json_ok() {
	[ "$(sqlite3 :memory: "SELECT json_valid(CAST(readfile('$1') AS TEXT))")" = 1 ] ||
	    fail "$2: not valid JSON"
}
jsonl_ok() {
	{ echo '['; sed '$!s/$/,/' "$1"; echo ']'; } > "$1.arr"
	json_ok "$1.arr" "$2"
}

# show WHAT CMD...: run a query command in every format; check each.
show() {
	what=$1; shift
	for fmt in table csv json jsonl md; do
		st=0
		ks -o $fmt "$@" > "$T/o.$fmt" 2> "$T/e.$fmt" || st=$?
		[ $st -le 1 ] || fail "$what -o $fmt: exit $st: $(cat "$T/e.$fmt")"
		clean "$T/o.$fmt" "$what -o $fmt" $fmt
		clean "$T/e.$fmt" "$what -o $fmt (stderr)"
		if [ $st -eq 0 ] && [ -s "$T/o.$fmt" ]; then
			case $fmt in
			json) json_ok "$T/o.$fmt" "$what -o json" ;;
			jsonl) jsonl_ok "$T/o.$fmt" "$what -o jsonl" ;;
			esac
		fi
	done
}

have() { ks help | grep -q "^  $1 "; }

# Every output of a database: sources, the tables by SQL, the query commands.
show_all() {
	show "$1: sources" sources
	for t in sources rejects audit_events objects; do
		show "$1: sql $t" sql "SELECT * FROM $t"
	done
	for c in summary actors denied timeline; do
		if have $c; then show "$1: $c" $c; fi
	done
	if have report; then
		ks report > "$T/o.report" 2>&1 || true
		clean "$T/o.report" "$1: report"
	fi
}

# imp NAME [OPTIONS] FILE: import into NAME.db; exit 0, sound, accounted.
imp() {
	name=$1; shift
	export KUBESIFT_DB="$T/cwd/$name.db"
	st=0
	ks import -q "$@" 2> "$T/$name.err" || st=$?
	[ $st -eq 0 ] || fail "$name: import exit $st: $(cat "$T/$name.err")"
	eq "$name: integrity_check" ok "$(sqlite3 "$KUBESIFT_DB" 'PRAGMA integrity_check')"
	accounting_holds
	eq "$name: every source complete" 0 "$(q 'SELECT count(*) FROM sources WHERE complete != 1')"
	! grep -qE "$BAD" "$T/$name.err" ||
	    fail "$name: import warnings pass C1 controls or bidi characters raw to the terminal"
}
hexof() { printf "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F; }
member_is() {	# member_is WHAT PRINTF-BYTES: a member has exactly these bytes
	eq "$1" 1 "$(q "SELECT count(*) FROM sources WHERE hex(member) = '$(hexof "$2")'")"
}

# --- Names that try to drive the terminal -----------------------------------
imp names "$H/names.tar"
eq "names.tar: every member read" 14 "$(q "SELECT count(*) FROM sources WHERE format = 'k8s-audit'")"
member_is "CSI name kept exactly" 'csi-\033[2J\033[H.log'
member_is "OSC name kept exactly" 'osc-\033]0;pwned\007.log'
member_is "CR name kept exactly" 'cr-innocent\revil.log'
member_is "bidi name kept exactly" 'rlo-\342\200\256gol.exe.log'
member_is "C1 name kept exactly" 'c1csi-\302\23331m.log'
member_is "LF name kept exactly" 'lf-\n.log'
member_is "../ name kept as text" '../../../../../../tmp/kubesift-escape.log'
member_is "absolute name kept as text" '/tmp/kubesift-abs.log'
show_all names
ks sources -o json > "$T/names.json"
grep -qi '\\u001b\[2J' "$T/names.json" || fail "JSON: ESC not written as \\u001b"
grep -qi '\\u202e' "$T/names.json" || fail "JSON: U+202E not written as \\u202e"
grep -qi '\\u0007' "$T/names.json" || fail "JSON: BEL not written as \\u0007"
echo "ok - JSON writes control and bidi characters as \\u escapes"
eq "table: one line per row (LF in a name escaped)" $(($(q 'SELECT count(*) FROM sources') + 2)) \
    "$(ks sources -o table | wc -l | tr -d ' ')"
eq "csv: one line per row" $(($(q 'SELECT count(*) FROM sources') + 1)) "$(ks sources -o csv | wc -l | tr -d ' ')"

imp names-zip "$H/names.zip"
eq "names.zip: every member read" 14 "$(q "SELECT count(*) FROM sources WHERE format = 'k8s-audit'")"
member_is "zip: CSI name kept exactly" 'csi-\033[2J\033[H.log'
# Names flagged UTF-8 survive whatever the user's locale (the one with
# invalid UTF-8 cannot: libarchive gives no name for it).
for name in 'rlo-\342\200\256gol.exe.log' 'c1csi-\302\23331m.log' 'iso-\342\201\246x\342\201\251.log'; do
	eq "names.zip: the UTF-8 name ${name%%-*}-... kept in the C locale" 1 \
	    "$(q "SELECT count(*) FROM sources WHERE hex(member) = '$(hexof "$name")'")"
done
show "names-zip: sources" sources

# --- Values that try to drive the terminal ----------------------------------
imp fields "$H/fields.log"
eq "fields.log: good events kept" 2 "$(q "SELECT count(*) FROM audit_events WHERE audit_id IN ('f1', 'f3')")"
eq "fields.log: the raw record rejected" 1 "$(q 'SELECT count(*) FROM rejects')"
eq "ESC stored as evidence" 1 "$(q "SELECT count(*) FROM audit_events WHERE instr(username, char(27)) > 0")"
show_all fields
imp object "$H/object.json"
eq "object with a hostile name stored" 1 "$(q "SELECT count(*) FROM objects WHERE instr(name, char(27)) > 0")"
show "object: sql objects" sql "SELECT * FROM objects"

# --- Bombs --------------------------------------------------------------------
imp zipbomb --max-expanded 8M "$H/zipbomb.zip"
why() { q "SELECT reason FROM rejects" | grep -q "$2" || fail "$1: no reject saying '$2': $(q 'SELECT reason FROM rejects')"; echo "ok - $1: $2"; }
why zipbomb 'expanded-size limit'
imp nested-bomb --max-expanded 8M "$H/nested-bomb.zip"
why nested-bomb 'expanded-size limit'
n=$(q "SELECT count(*) FROM sources WHERE path LIKE '%inner%.zip'")
[ "$n" -lt 8 ] || fail "nested-bomb: all 8 inner zips opened despite the limit"
echo "ok - nested-bomb: stopped after $n of 8 inner archives"
imp xzbomb --max-expanded 8M "$H/xzbomb.xz"
n=$(q "SELECT count(*) FROM sources WHERE format LIKE 'archive/tar%' AND records = 0")
eq "xzbomb.xz: 24 MB of zeros not taken for an empty tar" 0 "$n"
imp hidden "$H/hidden.gz"
[ "$(q "SELECT count(*) FROM audit_events")" = 2 ] || [ "$(q 'SELECT count(*) FROM rejects')" -gt 0 ] ||
    fail "hidden.gz: 1024 zero bytes before two events: the events are dropped without a reject"
echo "ok - hidden.gz: the events behind 1024 zero bytes are read or rejected"

imp lol "$H/lol.yaml"
if [ "$(q "SELECT format FROM sources")" = unrecognised ]; then
	echo "SKIP lol.yaml: no YAML reader"
else
	eq "billion laughs: refused, nothing stored" "1|0" "$(q "SELECT rejected || '|' || imported FROM sources")"
fi

# --- Nesting --------------------------------------------------------------------
imp matryoshka "$H/matryoshka.gz"
eq "gzip in gzip 8 deep: one filter chain, the event read" 1 \
    "$(q "SELECT count(*) FROM audit_events WHERE audit_id = 'nest-gz'")"
imp mixed "$H/mixed-nest.zip"
why mixed 'nested more than 4'
eq "mixed nesting: the innermost event not read" 0 "$(q 'SELECT count(*) FROM audit_events')"
imp mixed8 --max-nesting 8 "$H/mixed-nest.zip"
eq "mixed nesting with --max-nesting 8: read" 1 "$(q "SELECT count(*) FROM audit_events WHERE audit_id = 'nest-mixed'")"
imp deepitems "$H/deepitems.json"
why deepitems 'nested deeper'
eq "deep List item rejected, its neighbour kept" shallow "$(q "SELECT name FROM objects")"
imp deepdirs "$H/deepdirs"
grep -q 'folders nested too deep' "$T/deepdirs.err" || fail "deepdirs: no warning"
eq "deepdirs: the shallow file read" 1 "$(q "SELECT count(*) FROM audit_events WHERE audit_id = 'shallow-dir'")"

# --- Many members -------------------------------------------------------------
for a in many.tar many.zip; do
	imp $a --max-members 100 "$H/$a"
	why $a '100 members read, the limit'
	eq "$a: exactly 100 members read, empty: counted on the archive" "0|100" "$(q "SELECT (SELECT count(*) FROM sources WHERE parent_id IS NOT NULL) || '|' || empty_members FROM sources WHERE parent_id IS NULL")"
done

# --- Links and special members: recorded, never followed or created ----------
imp links "$H/links.tar"
eq "hardlink recorded, not read" hardlink "$(q "SELECT format FROM sources WHERE member = 'hard.log'")"
eq "symlinks recorded, not followed" 3 "$(q "SELECT count(*) FROM sources WHERE format = 'symlink'")"
eq "FIFO refused" refused "$(q "SELECT format FROM sources WHERE member = 'fifo'")"
eq "a file 'inside' a symlinked folder is only a member" 1 \
    "$(q "SELECT count(*) FROM audit_events WHERE audit_id = 'link-through'")"
imp dupnames "$H/dupnames.tar"
eq "the same name twice: two members" 2 "$(q "SELECT count(*) FROM sources WHERE member = 'same.log'")"
eq "the same name twice: both events" 2 "$(q "SELECT count(*) FROM audit_events WHERE audit_id LIKE 'dup-%'")"

# --- Lying headers --------------------------------------------------------------
imp hugesize "$H/hugesize.tar"
why hugesize 'cut short\|[Tt]runcated'
imp lsize "$H/lsize.zip"
why lsize 'cut short\|[Tt]runcated'
imp cdlies "$H/cdlies.zip"
eq "zip with a lying central directory: members read from local headers" \
    "cd1.log cd2.log cd3.log" "$(q "SELECT member FROM sources WHERE parent_id IS NOT NULL ORDER BY member" | tr '\n' ' ' | sed 's/ $//')"
imp encrypted "$H/encrypted.zip"
why encrypted 'Passphrase\|[Ee]ncrypt'

# --- Gzip trailers, members, what follows the last member ------------------
events() { q 'SELECT count(*) FROM audit_events'; }
imp badcrc "$H/badcrc.gz"
why badcrc 'member cut short or corrupt: gzip: incorrect data check'
eq "badcrc.gz: the events before the trailer kept" 2 "$(events)"
eq "badcrc.gz: sources shows the reject on the member" "badcrc|3|2|1" \
    "$(q "SELECT member || '|' || records || '|' || imported || '|' || rejected FROM sources WHERE parent_id IS NOT NULL")"
eq "badcrc.gz: its hash and size are of its own bytes" \
    "$(sha256sum < "$H/badcrc.gz" | cut -c1-64)|$(wc -c < "$H/badcrc.gz" | tr -d ' ')" \
    "$(q "SELECT sha256 || '|' || size FROM sources WHERE parent_id IS NULL")"
imp badisize "$H/badisize.gz"
why badisize 'gzip: incorrect length check'
eq "badisize.gz: the events before the trailer kept" 2 "$(events)"
imp cutshort "$H/cutshort.gz"
why cutshort 'gzip: cut short'
eq "cutshort.gz: the events before the cut kept" 2 "$(events)"
imp badcrctgz "$H/badcrc.tar.gz"
why badcrc.tar.gz 'archive cut short or corrupt: gzip: incorrect data check'
eq "badcrc.tar.gz: the members before the end kept" 3 "$(events)"
imp trailing "$H/trailing.gz"
eq "gzip with trailing garbage: its events read" 2 "$(events)"
why trailing '^25 bytes after the end of the gzip data are not gzip: not read'
grep -q 'trailing.gz: 25 bytes after the end of the gzip data' "$T/trailing.err" ||
    fail "trailing.gz: no warning: $(cat "$T/trailing.err")"
imp zeropad "$H/zeropad.gz"
eq "gzip with zero padding: read, nothing rejected" "2|0" \
    "$(q "SELECT (SELECT count(*) FROM audit_events) || '|' || count(*) FROM rejects")"
imp members "$H/members.gz"
eq "gzip members concatenated: each read, nothing rejected" "member-1 member-2|0" \
    "$(q "SELECT group_concat(audit_id, ' ') || '|' || (SELECT count(*) FROM rejects) FROM (SELECT audit_id FROM audit_events ORDER BY 1)")"
imp members-tar "$H/members.tar.gz"
eq "a tar across two gzip members: one archive, every member read" "archive/tar+gzip|3|0" \
    "$(q "SELECT format || '|' || (SELECT count(*) FROM audit_events) || '|' || (SELECT count(*) FROM rejects) FROM sources WHERE parent_id IS NULL")"

# --- Nothing written outside the database ---------------------------------------
for p in /tmp/kubesift-escape.log /tmp/kubesift-abs.log /tmp/kubesift-link-target \
    "$T/kubesift-escape.log" "$T/../kubesift-escape.log"; do
	[ ! -e "$p" ] || fail "$p was created by an import"
done
extra=$(ls -A "$T/cwd" | grep -v '\.db$' || true)
[ -z "$extra" ] || fail "files other than databases in the working folder: $extra"
echo "ok - nothing written outside the databases"

# --- The fuzzers' regression inputs -----------------------------------------------
cd "$TOP"
for d in tests/fuzz/regress/*/; do
	[ -d "$d" ] || continue
	t=$(basename "$d")
	bin=${BUILD:-$TOP/build}/fuzz-replay-$t
	if [ ! -x "$bin" ]; then
		echo "SKIP fuzz regressions of $t: $bin not built (make builds it with test)"
		continue
	fi
	mkdir -p "$T/regress/$t"
	for f in "$d"*; do
		case $f in
		*.b64) base64 -d < "$f" > "$T/regress/$t/$(basename "$f" .b64)" ;;
		*) cp "$f" "$T/regress/$t/" ;;
		esac
	done
	"$bin" "$T/regress/$t" > "$T/regress.out" 2>&1 || fail "fuzz regression $t: $(tail -n 30 "$T/regress.out")"
	echo "ok - fuzz regressions of $t: $(cat "$T/regress.out")"
done

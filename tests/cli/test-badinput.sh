# Messy evidence: every case gives a clear reject or warning, keeps the good
# records next to the bad one, and never crashes or hangs.
. tests/cli/lib.sh

F=$TOP/fixtures/import
good='{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"g%d","stage":"ResponseComplete","verb":"get","requestURI":"/api","requestReceivedTimestamp":"2024-03-05T10:00:0%dZ"}\n'
# sandwich FILE MIDDLE-PRINTF-ARGS: a good event, the middle, a good event.
sandwich() {
	out=$T/$1; shift
	{ printf "$good" 1 1; printf "$@"; printf '\n'; printf "$good" 2 2; } > "$out"
}
run() {	# run NAME: import $T/NAME into its own database; it must exit 0
	export KUBESIFT_DB="$T/$1.db"
	ks import -q "$T/$1" 2> "$T/$1.err" || fail "$1: import failed: $(cat "$T/$1.err")"
	accounting_holds
}
kept() { eq "$1: good records kept" "$2" "$(q "SELECT count(*) FROM audit_events WHERE audit_id LIKE 'g%'")"; }
why() { q "SELECT reason FROM rejects" | grep -q "$2" || fail "$1: no reject saying '$2': $(q 'SELECT reason FROM rejects')"; echo "ok - $1: $2"; }

sandwich invalid-utf8.log '{"kind":"Event","auditID":"x","verb":"get","user":{"username":"\377\376"}}'
run invalid-utf8.log; kept invalid-utf8 2; why invalid-utf8 'unable to decode byte 0xff'
eq "invalid UTF-8 excerpt stored escaped" 1 "$(q "SELECT count(*) FROM rejects WHERE excerpt LIKE '%\\xff%'")"

sandwich nul.log '{"kind":"Event","auditID":"x","verb":"g\000et"}'
run nul.log; kept nul 2; why nul 'invalid JSON'

sandwich half.log '{"kind":"Event","auditID":"x","verb":"get","user":{"usern'
run half.log; kept half 2; why half 'cut short'

# JSON nested 10,000 deep.
{ printf "$good" 1 1; printf '{"kind":"Event","auditID":"deep","x":'; i=0
  while [ $i -lt 10000 ]; do printf '['; i=$((i+1)); done
  i=0; while [ $i -lt 10000 ]; do printf ']'; i=$((i+1)); done
  printf '}\n'; printf "$good" 2 2; } > "$T/deep.log"
run deep.log; kept deep 2; why deep 'nested deeper'

# A 100 MB line between two good ones: refused by the record limit.
{ printf "$good" 1 1; printf '{"kind":"Event","auditID":"big","x":"'
  head -c 100000000 /dev/zero | tr '\0' 'a'; printf '"}\n'; printf "$good" 2 2; } > "$T/huge.log"
run huge.log; kept huge 2; why huge 'record larger'
rm -f "$T/huge.log"

# An empty file, a binary file, a wrong format.
: > "$T/empty.json"; run empty.json
eq "empty file recorded, unrecognised" "unrecognised|0|$(sha256sum < /dev/null | cut -c1-64)" \
    "$(q "SELECT format || '|' || size || '|' || sha256 FROM sources")"
head -c 4096 /dev/urandom > "$T/random.bin"; run random.bin
eq "random bytes unrecognised" unrecognised "$(q 'SELECT format FROM sources')"
printf 'apiVersion: v1\nkind: Pod\n' > "$T/pod.yaml"; run pod.yaml
eq "YAML without metadata: read, and rejected" "kubectl-yaml|1" "$(q "SELECT format || '|' || rejected FROM sources")"

# Cut-short archives keep the members before the cut.
mkdir "$T/src"; i=0
while [ $i -lt 40 ]; do
	{ printf "$good" 1 1; head -c 20000 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/{"pad":"/; s/$/"}\n/'; } > "$T/src/m$i.log"
	i=$((i+1))
done
(cd "$T/src" && tar cf "$T/full.tar" . && tar czf "$T/full.tgz" . && zip -qr "$T/full.zip" .)
for a in tar tgz zip; do
	size=$(wc -c < "$T/full.$a")
	head -c $((size / 2)) "$T/full.$a" > "$T/cut.$a"
	run cut.$a
	n=$(q "SELECT count(*) FROM sources WHERE format = 'k8s-audit'")
	[ "$n" -gt 5 ] && [ "$n" -lt 40 ] || fail "cut.$a: expected some of 40 members kept, got $n"
	echo "ok - cut.$a: $n members kept before the cut"
	why cut.$a 'cut short\|corrupt\|truncat'
done

# A corrupt gzip member inside a tar: that member is refused, others read.
mkdir "$T/cm"; printf "$good" 1 1 > "$T/cm/a.log"; printf "$good" 2 2 > "$T/cm/z.log"
i=0; while [ $i -lt 200 ]; do printf "$good" 3 3; i=$((i+1)); done | gzip > "$T/cm/b.log.gz"
size=$(wc -c < "$T/cm/b.log.gz")
printf 'XXXXXXXXXXXXXXXX' | dd of="$T/cm/b.log.gz" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
(cd "$T/cm" && tar cf "$T/corrupt-member.tar" a.log b.log.gz z.log)
run corrupt-member.tar; kept corrupt-member 2; why corrupt-member 'corrupt\|cut short'

# An archive bomb: expansion and ratio limits name the member that hit them.
yes | head -c 60000000 | gzip -1 > "$T/zeros.gz"
(cd "$T" && tar cf bomb.tar zeros.gz)
export KUBESIFT_DB="$T/bomb1.db"
ks import -q --max-expanded 10M "$T/bomb.tar" 2> "$T/bomb.err" || fail "bomb: exit"
grep -q 'zeros.gz.*expanded-size limit' "$T/bomb.err" || fail "bomb: no warning naming the member: $(cat "$T/bomb.err")"
why bomb 'expanded-size limit'
yes | head -c 150000000 | gzip -1 > "$T/zeros.gz"
export KUBESIFT_DB="$T/bomb2.db"
ks import -q --max-ratio 50 "$T/zeros.gz" 2> "$T/bomb.err" || fail "ratio: exit"
why ratio 'compression ratio'

# Archives nested deeper than the limit are recorded, not opened.
cp "$T/full.tgz" "$T/l0.tgz"
for i in 1 2 3 4 5; do (cd "$T" && tar czf "l$i.tgz" "l$((i-1)).tgz"); done
export KUBESIFT_DB="$T/nest.db"; ks import -q "$T/l5.tgz" 2>/dev/null
why nesting 'nested more than 4'
accounting_holds

# Hostile member names: ../, absolute paths, links, terminal escapes.
printf "$good" 1 1 > "$T/x.log"; ln -s /etc/passwd "$T/link.log"
esc=$(printf 'evil\033[2J\033]0;pwned\007.log'); cp "$T/x.log" "$T/$esc"
(cd "$T" && bsdtar -cf names.tar -s ',^x.log,../../escape.log,' x.log link.log "$esc" &&
    bsdtar -cPf abs.tar "$T/x.log")
run names.tar
eq "../ member read, nothing written" 1 "$(q "SELECT count(*) FROM sources WHERE member = '../../escape.log' AND format = 'k8s-audit'")"
[ ! -e "$T/../escape.log" ] && [ ! -e "$(dirname "$T")/../escape.log" ] || fail "something was extracted"
eq "symlink recorded, not followed" symlink "$(q "SELECT format FROM sources WHERE member = 'link.log'")"
for fmt in table csv md json jsonl; do
	ks sources -o $fmt > "$T/listing"
	if grep -q "$(printf '\033')" "$T/listing"; then fail "raw ESC in sources -o $fmt"; fi
done
echo "ok - no raw escape reaches the terminal in any format"
run abs.tar
eq "absolute member name kept as text" 1 "$(q "SELECT count(*) FROM sources WHERE member = '$T/x.log'")"

# A folder with an unreadable file: warned, the rest imported.
mkdir "$T/ur"; chmod 755 "$T"; printf "$good" 1 1 > "$T/ur/a.log"; printf "$good" 2 2 > "$T/ur/b.log"
chmod 000 "$T/ur/a.log"; chmod 777 "$T/ur"
if [ "$(id -u)" -eq 0 ]; then
	as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	as_user=""
fi
$as_user env KUBESIFT_DB="$T/ur/k.db" "$KUBESIFT" import -q "$T/ur" 2> "$T/ur.err" || fail "unreadable: exit"
grep -q 'a.log.*Permission denied' "$T/ur.err" || fail "unreadable: no warning: $(cat "$T/ur.err")"
eq "unreadable: the readable file imported" 1 "$(KUBESIFT_DB=$T/ur/k.db q 'SELECT count(*) FROM audit_events')"
eq "unreadable: recorded as a reject" 1 "$(KUBESIFT_DB=$T/ur/k.db q "SELECT count(*) FROM rejects WHERE reason LIKE 'cannot open%'")"

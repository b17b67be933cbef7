#!/bin/sh
# Write the hostile evidence corpus into OUTDIR: small files, made at test
# time, each aimed at one promise of the README's "Guarantees".
# Usage: tests/hostile/make-corpus.sh OUTDIR    (OUTDIR must not exist yet)
# Needs: bsdtar, zip, gzip, xz, od, dd, awk.  About 2 MB in all; nothing
# here is kept in the repository.
#
#   names.tar, names.zip  members named with ../, absolute paths, CSI, OSC,
#                         OSC 8, CR, BS, DEL, C1 CSI, bidi overrides and
#                         isolates, zero-width and BOM, invalid UTF-8, LF
#   fields.log            audit events whose fields hold the same bytes,
#                         and a bad record whose excerpt holds them raw
#   object.json           a kubectl object named with them
#   zipbomb.zip           one member of 24 MB of zeros (about 24 KB)
#   nested-bomb.zip       eight zips of 4 MB of zeros each
#   xzbomb.xz             24 MB of zeros
#   hidden.gz             two events behind 1024 zero bytes
#   lol.yaml              YAML aliases expanding 9^9 times
#   matryoshka.gz         gzip inside gzip, 8 deep, an audit event inside
#   mixed-nest.zip        zip > tar > tgz > zip > gz > event
#   deepitems.json        a List whose first item nests 600 deep
#   many.tar, many.zip    3000 empty members
#   links.tar             hardlink, symlinks to /etc/passwd and ../..,
#                         a symlinked folder with a file "inside" it, FIFO
#   dupnames.tar          the same member name twice, different bytes
#   hugesize.tar          a member whose header claims 8 GiB, cut short
#   badcrc.gz             a gzip whose trailer CRC and size are wrong
#   badisize.gz           a gzip whose trailer size alone is wrong
#   cutshort.gz           a gzip without its trailer
#   badcrc.tar.gz         a tar.gz whose trailer CRC is wrong
#   cdlies.zip            a zip whose central directory lies (names, count,
#                         offset)
#   lsize.zip             a zip whose local header claims a huge size
#   encrypted.zip         a password-protected member
#   trailing.gz           a gzip followed by garbage
#   zeropad.gz            a gzip followed by 1024 zero bytes (tape padding)
#   members.gz            two gzip members and an empty one, concatenated
#   members.tar.gz        a tar cut in two, each half gzipped, concatenated
#   deepdirs/             folders nested 70 deep, an event at the bottom
set -eu
out=$1
mkdir "$out"
cd "$out"
good='{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"%s","stage":"ResponseComplete","verb":"get","requestURI":"/api","requestReceivedTimestamp":"2024-03-05T10:00:01Z"}\n'
ev() { printf "$good" "$1"; }

# Bytes no terminal may receive from evidence, one name per line.
ESC=$(printf '\033') BEL=$(printf '\007') CR=$(printf '\r')
hostile_names() {
	printf '%s\n' "csi-${ESC}[2J${ESC}[H.log" \
	    "osc-${ESC}]0;pwned${BEL}.log" \
	    "osc8-${ESC}]8;;https:evil.example${ESC}\\click${ESC}]8;;${ESC}\\.log" \
	    "cr-innocent${CR}evil.log" \
	    "$(printf 'bs-abc\010\010\010xyz.log')" \
	    "$(printf 'del-\177.log')" \
	    "$(printf 'c1csi-\302\23331m.log')" \
	    "$(printf 'rlo-\342\200\256gol.exe.log')" \
	    "$(printf 'iso-\342\201\246x\342\201\251.log')" \
	    "$(printf 'zw-a\342\200\213b\342\200\215c\357\273\277.log')" \
	    "$(printf 'bad-\377\376utf8.log')"
}

# names.tar and names.zip: every hostile name, then ../ and absolute ones.
mkdir n
i=0
hostile_names | while IFS= read -r name; do
	i=$((i + 1))
	ev "name-$i" > "n/$name"
done
printf 'lf-\n.log' > n/.lfname
ev name-lf > "n/$(cat n/.lfname)"
rm n/.lfname
ev name-dotdot > n/dotdot.log
ev name-abs > n/abs.log
# Special members are refused with a warning that names them.
mkfifo "n/$(printf 'fifo-rlo-\342\200\256x')" "n/$(printf 'fifo-c1-\302\233x')" \
    "n/$(printf 'fifo-csi-\033[2Jx')"
(cd n && bsdtar -cf ../names.tar -s ',^dotdot.log$,../../../../../../tmp/kubesift-escape.log,' \
    -s ',^abs.log$,/tmp/kubesift-abs.log,' -P -- * 2>/dev/null)
rm n/fifo-*
# Zip names flagged UTF-8, as Windows, macOS and Java write them.
utf8=C.UTF-8
locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' || utf8=$(locale -a 2>/dev/null | grep -i 'utf-\?8' | head -n 1)
(cd n && LC_ALL=${utf8:-C} bsdtar --format zip -cf ../names.zip -s ',^dotdot.log$,../../kubesift-escape.log,' \
    -s ',^abs.log$,/tmp/kubesift-abs.log,' -P -- * 2>/dev/null || true)
rm -rf n

# fields.log: hostile bytes inside evidence values (JSON escapes decode to
# the raw bytes), and a bad record carrying them raw.
{
	printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"f1","stage":"ResponseComplete",'
	printf '"verb":"get\\u001b[2J","user":{"username":"u\\u001b]0;pwned\\u0007","groups":["g\\u202e1"]},'
	printf '"userAgent":"ua\\u009b31m\\r\\u2066x","objectRef":{"resource":"pods\\b\\b","namespace":"n\\u007f"},'
	printf '"requestURI":"/api\\rEVIL","requestReceivedTimestamp":"2024-03-05T10:00:02Z"}\n'
	printf '{"kind":"Event","auditID":"f2" \033[2J\033]0;x\007\r \342\200\256 \302\233 broken\n'
	ev f3
} > fields.log

printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm\\u001b[31mred","namespace":"ns\\u202e"},"data":{"k":"v\\u0007"}}\n' > object.json

# Bombs: small files that expand a lot.
head -c 24000000 /dev/zero > zeros
zip -q -9 zipbomb.zip zeros
rm zeros
head -c 4000000 /dev/zero > zeros
zip -q -9 inner.zip zeros
for i in 1 2 3 4 5 6 7 8; do cp inner.zip "inner$i.zip"; done
zip -q -0 nested-bomb.zip inner?.zip
rm zeros inner*.zip
head -c 24000000 /dev/zero | xz -1 > xzbomb.xz
# Two events behind 1024 zero bytes (which is how an empty tar looks).
{ head -c 1024 /dev/zero; ev hidden-1; ev hidden-2; } | gzip -c > hidden.gz

# YAML aliases that expand a billion times ("billion laughs").
{
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n'
	printf '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
	prev=a
	for k in b c d e f g h i; do
		printf '  %s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' $k $k $prev $prev $prev $prev $prev $prev $prev $prev $prev
		prev=$k
	done
} > lol.yaml

# Nesting: gzip in gzip, and a mix of formats.
ev nest-gz > m
for i in 1 2 3 4 5 6 7 8; do gzip -c m > m.gz; mv m.gz m; done
mv m matryoshka.gz
ev nest-mixed > e.log
gzip -c e.log > e.log.gz
zip -q l3.zip e.log.gz
tar czf l2.tgz l3.zip
tar cf l1.tar l2.tgz
zip -q mixed-nest.zip l1.tar
rm e.log e.log.gz l3.zip l2.tgz l1.tar

# A List whose first item nests 600 deep (the default limit is 512).
{
	printf '{"apiVersion":"v1","kind":"List","items":[{"kind":"ConfigMap","metadata":{"name":"deep"},"data":{"x":'
	i=0; while [ $i -lt 600 ]; do printf '['; i=$((i + 1)); done
	i=0; while [ $i -lt 600 ]; do printf ']'; i=$((i + 1)); done
	printf '}},{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"shallow"}}]}\n'
} > deepitems.json

# Many members.
mkdir many
(cd many && seq 1 3000 | sed 's/^/m/' | xargs touch)
(cd many && bsdtar -cf ../many.tar -- *)
(cd many && bsdtar --format zip -cf ../many.zip -- *)
rm -rf many

# Links and special members; nothing may be created through them.
mkdir l
ev link-a > l/a.log
ln l/a.log l/hard.log
ln -s /etc/passwd l/passwd.log
ln -s ../../../../.. l/up
ln -s /tmp/kubesift-link-target l/dir
mkfifo l/fifo
(cd l && bsdtar -cf ../links.tar a.log hard.log passwd.log up dir fifo)
mkdir l/d2
ev link-through > l/d2/pwned.log
(cd l && bsdtar -rf ../links.tar -s ',^d2/,dir/,' d2/pwned.log)
rm -rf l

# The same name twice.
mkdir d
ev dup-1 > d/same.log
(cd d && bsdtar -cf ../dupnames.tar same.log)
ev dup-2 > d/same.log
(cd d && bsdtar -rf ../dupnames.tar same.log)
rm -rf d

# A tar member whose header claims 8 GiB but whose data stops at once.
ev huge-1 > huge.log
bsdtar --format ustar -cf hugesize.tar huge.log
rm huge.log
printf '77777777777\0' | dd of=hugesize.tar bs=1 seek=124 conv=notrunc 2>/dev/null
printf '        ' | dd of=hugesize.tar bs=1 seek=148 conv=notrunc 2>/dev/null
sum=$(od -An -tu1 -v -N512 hugesize.tar | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s }')
printf '%06o\0 ' "$sum" | dd of=hugesize.tar bs=1 seek=148 conv=notrunc 2>/dev/null
head -c 1536 hugesize.tar > t && mv t hugesize.tar

# A gzip whose trailer is wrong: the CRC and the length.
{ ev crc-1; ev crc-2; } > c.log
gzip -c c.log > badcrc.gz
size=$(wc -c < badcrc.gz)
printf '\336\255\276\357\377\377\377\177' | dd of=badcrc.gz bs=1 seek=$((size - 8)) conv=notrunc 2>/dev/null
# The size alone (the last four bytes), and no trailer at all.
gzip -c c.log > badisize.gz
printf '\377\377\377\177' | dd of=badisize.gz bs=1 seek=$((size - 4)) conv=notrunc 2>/dev/null
gzip -c c.log | head -c $((size - 8)) > cutshort.gz
# A gzip followed by garbage, and one followed by zero padding.
{ gzip -c c.log; printf 'GARBAGE\033[2J after the end'; } > trailing.gz
{ gzip -c c.log; head -c 1024 /dev/zero; } > zeropad.gz
rm c.log
# Members concatenated, as cat, pigz and bgzip write them.
{ ev member-1 | gzip -c; ev member-2 | gzip -c; gzip -c < /dev/null; } > members.gz
mkdir t
ev tgz-1 > t/a.log; ev tgz-2 > t/b.log; ev tgz-3 > t/c.log
(cd t && bsdtar --format ustar -cf ../t.tar a.log b.log c.log)
{ head -c 1536 t.tar | gzip -c; tail -c +1537 t.tar | gzip -c; } > members.tar.gz
# A tar.gz whose CRC is wrong: the fault shows only after the tar's end.
gzip -c t.tar > badcrc.tar.gz
size=$(wc -c < badcrc.tar.gz)
printf '\336\255\276\357' | dd of=badcrc.tar.gz bs=1 seek=$((size - 8)) conv=notrunc 2>/dev/null
rm -rf t t.tar

# A zip whose central directory lies, and one whose local header does.
ev cd-1 > cd1.log; ev cd-2 > cd2.log; ev cd-3 > cd3.log
zip -q -0 cdlies.zip cd1.log cd2.log cd3.log
cp cdlies.zip lsize.zip
size=$(wc -c < cdlies.zip)
# End of central directory (the last 22 bytes): 65535 entries, offset 7.
printf '\377\377\377\377' | dd of=cdlies.zip bs=1 seek=$((size - 22 + 8)) conv=notrunc 2>/dev/null
printf '\007\0\0\0' | dd of=cdlies.zip bs=1 seek=$((size - 22 + 16)) conv=notrunc 2>/dev/null
# The central directory's names (the last copies of each name) renamed.
for f in cd1 cd2 cd3; do
	off=$(grep -abo "$f.log" cdlies.zip | tail -n 1 | cut -d: -f1)
	printf '../x' | dd of=cdlies.zip bs=1 seek="$off" conv=notrunc 2>/dev/null
done
# Local header of the first member: compressed and plain sizes 0x7fffff00.
printf '\0\377\377\177\0\377\377\177' | dd of=lsize.zip bs=1 seek=18 conv=notrunc 2>/dev/null
rm cd1.log cd2.log cd3.log

ev enc-1 > enc.log
zip -q -P secret encrypted.zip enc.log
rm enc.log

# Folders 70 deep (the walk reads 64).
p=deepdirs
i=0; while [ $i -lt 70 ]; do p=$p/d; i=$((i + 1)); done
mkdir -p "$p"
ev deep-dir > "$p/bottom.log"
ev shallow-dir > deepdirs/top.log

# mend run --shard K/N (issue 15 part 4): N controllers run one playbook,
# each on its shard of the hosts, each with its own journal.  The union of
# the shards' results equals an unsharded run's; every host is in exactly
# one shard; each journal records its shard and the run id; runs --merge
# shows the shards as one run and rollback by run id puts every shard
# back.  Then README's recipe: GNU parallel starting the shards here, and
# with --sshlogin on lab hosts acting as the controllers (a copy of the
# built mend under /var/tmp, which the lab hosts share; their /tmp is
# their own), the rollback through parallel on the same controllers.
. "$TOP/tests/e2e/lib.sh"
nh=$(nhosts)
hosts=$(awk '{print $1}' "$LAB/hosts")
cat >"$T/pb.yml" <<'P'
- hosts: all
  gather_facts: false
  tasks:
    - lineinfile: {path: /tmp/mend-t65.conf, regexp: '^mode=', line: "mode=new {{ inventory_hostname }}"}
    - copy: {dest: /tmp/mend-t65.new, content: "made by mend\n"}
P
orig() { for i in $(seq 1 "$nh"); do
	lab_sh "$i" sh -c 'rm -f /tmp/mend-t65.new; printf "mode=old\n" >/tmp/mend-t65.conf'
done; }
# state: every host's two files, one line per host
state() { for i in $(seq 1 "$nh"); do
	printf 'h%s %s %s\n' "$i" "$(lab_sh "$i" cat /tmp/mend-t65.conf | tr '\n' ' ')" \
		"$(lab_sh "$i" cat /tmp/mend-t65.new 2>/dev/null | tr '\n' ' ')"
done; }
recaps() { grep -h '^h[0-9]* *: ok=' "$@" | sed 's/ *: / : /' | sort; }  # padding is per run
common="-i $LAB/inventory.ini --known-hosts $LAB/known_hosts"

# ---- the reference: one unsharded run
orig
state >"$T/before"
mend_run run "$T/pb.yml" $common --state-dir "$T/ref"
expect_rc 0
state >"$T/want"
recaps "$T/out" >"$T/want-recap"
[ "$(wc -l <"$T/want-recap")" = "$nh" ] || fail "the unsharded run's recap: $(cat "$T/out")"
cmp -s "$T/before" "$T/want" && fail "the unsharded run changed nothing"
mend_run rollback last --state-dir "$T/ref" --known-hosts "$LAB/known_hosts"
expect_rc 0
state >"$T/got"
cmp "$T/before" "$T/got" || fail "the unsharded run's rollback"

# ---- validation: nothing runs
for bad in 0/3 4/3 3 1/0 x/y; do
	mend_run run "$T/pb.yml" $common --state-dir "$T/bad" --shard "$bad" --run-id r
	expect_rc 1
	expect_out "error: --shard"
done
mend_run run "$T/pb.yml" $common --state-dir "$T/bad" --shard 1/3
expect_rc 1
expect_out "--shard needs --run-id ID"
mend_run run "$T/pb.yml" $common --state-dir "$T/bad" --shard 1/3 --run-id 'a b'
expect_rc 1
expect_out "error: --run-id takes"
[ ! -e "$T/bad" ] || fail "a refused --shard left a journal"
state >"$T/got"
cmp -s "$T/before" "$T/got" || fail "a refused --shard changed a host"

# ---- every host in exactly one shard (--list-hosts), for N = 1..4
for n in 1 2 3 4; do
	for k in $(seq 1 "$n"); do
		mend_run check "$T/pb.yml" $common --list-hosts --shard "$k/$n"
		expect_rc 0
		sed -n 's/^      //p' "$T/out"
	done | sort >"$T/listed"
	[ "$(uniq -d "$T/listed")" = "" ] || fail "N=$n: a host in two shards: $(uniq -d "$T/listed")"
	[ "$(tr ' ' '\n' <<<"$hosts" | sort)" = "$(cat "$T/listed")" ] ||
		fail "N=$n: the shards list $(cat "$T/listed"), not all hosts"
done
# the shard follows -l (a filter: h1's shard is the same with or without it)
mend_run check "$T/pb.yml" $common --list-hosts --shard 1/2 -l 'all:!h2'
sed -n 's/^      //p' "$T/out" | sort >"$T/l1"
mend_run check "$T/pb.yml" $common --list-hosts --shard 1/2
sed -n 's/^      //p' "$T/out" | grep -vx h2 | sort >"$T/l2"
cmp -s "$T/l1" "$T/l2" || fail "-l moved a host's shard"

# ---- three shards, one after the other, one journal each
orig
for k in 1 2 3; do
	mend_run run "$T/pb.yml" $common --state-dir "$T/s$k" --shard "$k/3" --run-id t65-seq
	expect_rc 0
	cp "$T/out" "$T/out-$k"
	grep -qs '"shard": "'$k'/3"' "$T/s$k"/runs/*/meta.json ||
		fail "shard $k's meta.json lacks its shard"
	grep -qs '"run_id": "t65-seq"' "$T/s$k"/runs/*/meta.json ||
		fail "shard $k's meta.json lacks the run id"
done
state >"$T/got"
cmp "$T/want" "$T/got" || fail "the shards' union differs from the unsharded run"
recaps "$T"/out-[123] >"$T/got-recap"
cmp "$T/want-recap" "$T/got-recap" || fail "the shards' recaps differ from the unsharded run's"

# ---- mend runs --merge: the three shards as one run
mend_run runs --merge "$T/s1" "$T/s2" "$T/s3"
expect_rc 0
expect_out "^t65-seq +ok .* +$nh +$((2 * nh))  $T/pb.yml \[shards 1,2,3 of 3\]$"
[ "$(grep -c '^t65-seq ' "$T/out")" = 1 ] || fail "the shards are not one row"
mend_run runs --merge "$T/s1" "$T/s3"
expect_out "\[shards 1,3 of 3; missing 2\]"
mend_run show t65-seq --merge "$T/s1" "$T/s2" "$T/s3"
expect_rc 0
[ "$(grep -c '^== shard [123]/3 of run t65-seq' "$T/out")" = 3 ] || fail "show: not 3 shards"
[ "$(grep -c '^h[0-9]* | /tmp/mend-t65.conf | changed' "$T/out")" = "$nh" ] ||
	fail "show: not every host's change"
mend_run runs --merge
expect_rc 1
mend_run rollback last --merge "$T/s1" "$T/s2"
expect_rc 1
expect_out "'last' is a run of one state directory"

# ---- rollback of the sharded run: one shard by its state dir, then all
# shards by the run id across the directories (shard 1's again: nothing)
k1=$(sed -n 's/^      //p' <(mend_run check "$T/pb.yml" $common --list-hosts --shard 1/3; cat "$T/out"))
mend_run rollback t65-seq --state-dir "$T/s1" --known-hosts "$LAB/known_hosts"
expect_rc 0
for h in $k1; do
	grep -q "^$h mode=old  \$" <(state) || fail "shard 1's rollback left $h: $(state)"
done
mend_run rollback t65-seq --merge "$T/s1" "$T/s2" "$T/s3" --known-hosts "$LAB/known_hosts"
expect_rc 0
[ "$(grep -c '^mend: rolling back run .* of 3 of run id t65-seq' "$T/out")" = 3 ] ||
	fail "not 3 shards rolled back"
state >"$T/got"
cmp "$T/before" "$T/got" || fail "the sharded run's rollback left: $(cat "$T/got")"
# one rollback per shard that has hosts (an empty shard changed nothing:
# nothing to roll back), and shard 1's twice
busy=0
for k in 1 2 3; do
	mend_run check "$T/pb.yml" $common --list-hosts --shard "$k/3"
	grep -q '^      h' "$T/out" && busy=$((busy + 1))
done
mend_run runs --merge "$T/s1" "$T/s2" "$T/s3"
[ "$(grep -c 'rollback of .* \[shard [123]/3 of t65-seq\]' "$T/out")" = $((busy + 1)) ] ||
	fail "runs --merge does not list $((busy + 1)) rollbacks: $(cat "$T/out")"
orig

# ---- README's recipe: GNU parallel, the shards on this machine
command -v parallel >/dev/null || fail "GNU parallel is not installed (tests/install-deps)"
par() { parallel --will-cite --halt now,fail=1 "$@"; }
rc=0
par "$MEND" run "$T/pb.yml" $common --state-dir "$T/p{}" --shard {}/3 \
	--run-id t65-par ::: 1 2 3 >"$T/out" 2>&1 || rc=$?
expect_rc 0
state >"$T/got"
cmp "$T/want" "$T/got" || fail "parallel: the shards' union differs from the unsharded run"
recaps "$T/out" >"$T/got-recap"
cmp "$T/want-recap" "$T/got-recap" || fail "parallel: the recaps differ: $(cat "$T/out")"
mend_run runs --merge "$T/p1" "$T/p2" "$T/p3"
expect_out "^t65-par +ok .* +$nh +$((2 * nh))  .*\[shards 1,2,3 of 3\]$"
mend_run rollback t65-par --merge "$T/p1" "$T/p2" "$T/p3" --known-hosts "$LAB/known_hosts"
expect_rc 0
state >"$T/got"
cmp "$T/before" "$T/got" || fail "parallel: the rollback left: $(cat "$T/got")"

# ---- --sshlogin: lab hosts h1 and h2 are the controllers (one job slot
# each, one shard each: with h1..h3 both shards of 2 have hosts, while
# shard 2 of 3 above had none), with their own copy of mend, key,
# known_hosts and inventory under /var/tmp
W=$(mktemp -d /var/tmp/mend-t65.XXXXXX)
trap 'rm -rf "$W"' EXIT
cp "$MEND" "$W/mend"
cp "$LAB/id_ed25519" "$LAB/known_hosts" "$T/pb.yml" "$W/"
sed "s#$LAB/#$W/#g" "$LAB/inventory.ini" >"$W/inv.ini"
ctl="1/h1,1/h2"
rc=0
par --ssh "ssh -F $LAB/ssh_config" --sshlogin "$ctl" --joblog "$T/joblog" \
	"$W/mend" run "$W/pb.yml" -i "$W/inv.ini" --known-hosts "$W/known_hosts" \
	--state-dir "$W/state-{}" --shard {}/2 --run-id t65-ssh ::: 1 2 >"$T/out" 2>&1 || rc=$?
expect_rc 0
state >"$T/got"
cmp "$T/want" "$T/got" || fail "sshlogin: the shards' union differs: $(cat "$T/out")"
recaps "$T/out" >"$T/got-recap"
cmp "$T/want-recap" "$T/got-recap" || fail "sshlogin: the recaps differ: $(cat "$T/out")"
# parallel sent the jobs to h1 and h2, and mend ran there: each shard's
# meta.json names its controller, and both controllers ran a shard
[ "$(awk 'NR > 1 {print $2}' "$T/joblog" | sort -u | tr '\n' ' ')" = "h1 h2 " ] ||
	fail "sshlogin: the jobs ran on: $(cat "$T/joblog")"
for k in 1 2; do
	grep -h '"controller"' "$W/state-$k"/runs/*/meta.json
done | sed 's/.*: "\(.*\)".*/\1/' | sort -u | tr '\n' ' ' >"$T/ctls"
[ "$(cat "$T/ctls")" = "h1 h2 " ] || fail "sshlogin: the shards' controllers: $(cat "$T/ctls")"
mend_run runs --merge "$W"/state-*
expect_out "^t65-ssh +ok .* +$nh +$((2 * nh))  .*\[shards 1,2 of 2\]$"
# the rollback through parallel, each controller against its shard's
# journal
rc=0
par --ssh "ssh -F $LAB/ssh_config" --sshlogin "$ctl" \
	"$W/mend" rollback t65-ssh --state-dir "$W/state-{}" \
	--known-hosts "$W/known_hosts" ::: 1 2 >"$T/out" 2>&1 || rc=$?
expect_rc 0
state >"$T/got"
cmp "$T/before" "$T/got" || fail "sshlogin: the rollback left: $(cat "$T/got")"
orig

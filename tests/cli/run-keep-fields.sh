# State across a restart by field name (hot_keep_object in the scaffold):
# under hotreload run, struct state changes (fields moved, added, removed,
# resized, retyped, a nested struct reordered) in the header, the library
# and the host; the host is restarted, and every field of the new struct
# holds what the rule says: carried by name, or the new program's initial
# value with a warning naming the field.
. "$CASE_DIR/common.sh"
host=keep_$$
"$HOTRELOAD" new $host --build-tree >/dev/null || fail "hotreload new"
RUN_LOG=$PWD/run.log
cd $host || fail "no project folder"

cat >logic.h <<'H'
#ifndef LOGIC_H
#define LOGIC_H
#include <hotreload.h>
struct pos { int x; int y; };
struct state {
    long ticks;
    int lives;
    float speed;
    short level;
    int removed;
    struct pos pos;
    double score;
    char name[8];
};
#define LOGIC_FUNCTIONS(X, XV) XV(void, logic_tick, (struct state *s), (s))
#define LOGIC_TYPES(TYPE, FIELD)                                        \
    TYPE(struct state) FIELD(struct state, ticks) FIELD(struct state, lives) \
    FIELD(struct state, speed) FIELD(struct state, level)              \
    FIELD(struct state, removed) FIELD(struct state, pos)              \
    FIELD(struct state, pos.x) FIELD(struct state, pos.y)              \
    FIELD(struct state, score) FIELD(struct state, name)
HOT_GUARDED_INTERFACE(logic, LOGIC_FUNCTIONS, LOGIC_TYPES)
#endif
H
cat >logic.c <<'C'
#include <stdio.h>
#include <string.h>
#include "logic.h"
void logic_tick(struct state *s)
{
    s->ticks++;
    s->lives = 3;
    s->speed = 2.5f;
    s->level = 300;
    s->removed = 99;
    s->pos.x = 11;
    s->pos.y = -12;
    s->score = 1234.5;
    strcpy(s->name, "alice");
    printf("tick %ld: v1\n", s->ticks);
    fflush(stdout);
}
C
make >/dev/null 2>&1 || fail "the first version does not build"

"$HOTRELOAD" run >"$RUN_LOG" 2>&1 &
run_pid=$!
trap 'kill -9 $run_pid 2>/dev/null; pkill -9 -x $host 2>/dev/null' EXIT
wait_for '^tick 3: v1$' "$RUN_LOG" 20
echo "v1 runs and sets every field"

# The new program: its own initial values, a struct laid out anew.
cat >logic.c.new <<'C'
#include <stdio.h>
#include "logic.h"
void logic_tick(struct state *s)
{
    s->ticks++;
    printf("tick %ld: v2 score=%g lives=%d speed=%d level=%ld added=%d pos=%d,%d name=%s\n",
           s->ticks, s->score, s->lives, s->speed, s->level, s->added, s->pos.x, s->pos.y,
           s->name);
    fflush(stdout);
}
C
sed 's/^struct pos { int x; int y; };$/struct pos { int y; int x; };/;
     /^    long ticks;$/i\    double score;
     /^    double score;$/d; /^    int removed;$/d;
     s/^    float speed;$/    int speed;/; s/^    short level;$/    long level;\n    int added;/;
     s/FIELD(struct state, removed) //; s/FIELD(struct state, level)/FIELD(struct state, level) FIELD(struct state, added)/' \
    logic.h >logic.h.new
grep -q 'int added;' logic.h.new && ! grep -q removed logic.h.new || fail "the test's header edit"
sed -i 's/^    struct state state = {0};$/    struct state state = {-1.0, 0, -2, -3, -4, 555, {-6, -5}, "nobody"};/' host.c
grep -q '555' host.c || fail "the test's host edit"
mv logic.c.new logic.c
mv logic.h.new logic.h

wait_for "^built in [0-9]* ms · restarted ./$host with state (pid [0-9]*)\$" "$RUN_LOG" 30
wait_for '^tick [0-9]*: v2 ' "$RUN_LOG" 15
line=$(grep '^tick [0-9]*: v2 ' "$RUN_LOG" | head -1)
echo "$line" | grep -q '^tick [0-9]*: v2 score=1234.5 lives=3 speed=-3 level=-4 added=555 pos=11,-12 name=alice$' ||
    fail "after the restart: $line"
echo "restart: score moved (carried), lives carried, speed retyped (initial), level resized (initial), added new (initial), pos reordered (carried by name), name carried"
last_v1=$(grep '^tick [0-9]*: v1$' "$RUN_LOG" | tail -1 | sed 's/^tick \([0-9]*\):.*/\1/')
first_v2=$(echo "$line" | sed 's/^tick \([0-9]*\):.*/\1/')
[ "$first_v2" = $((last_v1 + 1)) ] || fail "ticks: v1 ended at $last_v1, v2 began at $first_v2"
echo "ticks: carried, v2 goes on from v1's last"
grep -q '^state: kept struct state: .*field speed: type changed' "$RUN_LOG" || fail "no warning naming speed"
grep -q '^state: kept struct state: .*field level: size changed 2 -> 8 bytes' "$RUN_LOG" || fail "no warning naming level"
grep 'kept struct state' "$RUN_LOG" | grep -q -e removed -e added -e lives && fail "a warning names a field that was carried, new or removed"
echo "warnings: speed and level named, nothing else"

kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
trap - EXIT

#!/usr/bin/env python3
"""Independent state count for the workers family, straight from the step rules.

Explores the same atomic-step semantics that workers.pml encodes, written
directly from the rules in README.md instead of in Promela, and prints the
number of reachable states and of transitions (edges). It exists to check
that the Promela model (and, later, mpcheck) explore the same state space:
SPIN's "states, stored" with -DNOREDUCE must equal `states` here.

usage: reference_count.py [N...]   (default 1 2 3)
"""

import sys
from collections import deque

NONE = "None"  # the Python None sentinel; None below means "nothing"


def initial(n):
    # main: (phase, loop counter); phases in program order
    main = ("start", 0)
    workers = tuple(None for _ in range(n))  # None until p.start()
    return (
        main,
        workers,          # per worker: (pc, t) with pc in get1/get2/put/exit/exited
        (),               # main's buffer of tasks
        tuple(() for _ in range(n)),  # workers' buffers of results
        (),               # tasks pipe
        (),               # results pipe
        None,             # tasks rlock holder
        None,             # tasks wlock holder
        None,             # results rlock holder
        None,             # results wlock holder
        False,            # main's feeder started
        tuple(False for _ in range(n)),  # workers' feeders started
        None,             # item held by main's feeder between A and B
        tuple(None for _ in range(n)),   # item held by worker feeders
        tuple(False for _ in range(n)),  # worker exited
    )


def replace(tup, i, v):
    return tup[:i] + (v,) + tup[i + 1:]


def successors(n, s):
    (main, workers, mbuf, wbufs, tpipe, rpipe, trl, twl, rrl, rwl,
     mstarted, wstarted, mitem, witems, wexited) = s
    out = []

    def with_(**kw):
        d = dict(main=main, workers=workers, mbuf=mbuf, wbufs=wbufs,
                 tpipe=tpipe, rpipe=rpipe, trl=trl, twl=twl, rrl=rrl,
                 rwl=rwl, mstarted=mstarted, wstarted=wstarted, mitem=mitem,
                 witems=witems, wexited=wexited)
        d.update(kw)
        return (d["main"], d["workers"], d["mbuf"], d["wbufs"], d["tpipe"],
                d["rpipe"], d["trl"], d["twl"], d["rrl"], d["rwl"],
                d["mstarted"], d["wstarted"], d["mitem"], d["witems"],
                d["wexited"])

    def next_main(phase, i, following):
        # loop counter fused into the step; reset when the loop ends
        return (phase, i + 1) if i + 1 < n else (following, 0)

    # ---- main thread of main
    phase, i = main
    if phase == "start":
        out.append(with_(main=next_main("start", i, "put"),
                         workers=replace(workers, i, ("get1", 0))))
    elif phase == "put":
        out.append(with_(main=next_main("put", i, "putnone"),
                         mbuf=mbuf + (i,), mstarted=True))
    elif phase == "putnone":
        out.append(with_(main=next_main("putnone", i, "get1"),
                         mbuf=mbuf + (NONE,)))
    elif phase == "get1":
        if rrl is None:
            out.append(with_(main=("get2", i), rrl="main"))
    elif phase == "get2":
        if rpipe:
            nxt = ("get1", i + 1) if i + 1 < n else ("join", 0)
            out.append(with_(main=nxt, rpipe=rpipe[1:], rrl=None))
    elif phase == "join":
        if wexited[i]:
            out.append(with_(main=next_main("join", i, "exit")))
    elif phase == "exit":
        if not mbuf and mitem is None:
            out.append(with_(main=("exited", 0)))

    # ---- main's feeder of tasks
    if mitem is None:
        if twl is None and mbuf:
            out.append(with_(mbuf=mbuf[1:], mitem=mbuf[0], twl="main"))
    else:
        out.append(with_(tpipe=tpipe + (mitem,), twl=None, mitem=None))

    # ---- workers and their feeders of results
    for w in range(n):
        if workers[w] is not None:
            pc, t = workers[w]
            if pc == "get1":
                if trl is None:
                    out.append(with_(workers=replace(workers, w, ("get2", t)),
                                     trl=w))
            elif pc == "get2":
                if tpipe:
                    v = tpipe[0]
                    nxt = ("exit", v) if v == NONE else ("put", v)
                    out.append(with_(workers=replace(workers, w, nxt),
                                     tpipe=tpipe[1:], trl=None))
            elif pc == "put":
                out.append(with_(workers=replace(workers, w, ("get1", t)),
                                 wbufs=replace(wbufs, w, wbufs[w] + (t * 2,)),
                                 wstarted=replace(wstarted, w, True)))
            elif pc == "exit":
                if not wbufs[w] and witems[w] is None:
                    out.append(with_(workers=replace(workers, w, ("exited", t)),
                                     wexited=replace(wexited, w, True)))
        if witems[w] is None:
            if rwl is None and wbufs[w]:
                out.append(with_(wbufs=replace(wbufs, w, wbufs[w][1:]),
                                 witems=replace(witems, w, wbufs[w][0]),
                                 rwl=w))
        else:
            out.append(with_(rpipe=rpipe + (witems[w],), rwl=None,
                             witems=replace(witems, w, None)))
    return out


def explore(n):
    start = initial(n)
    seen = {start}
    queue = deque([start])
    edges = 0
    deadlocks = 0
    while queue:
        s = queue.popleft()
        succ = successors(n, s)
        edges += len(succ)
        if not succ:
            finished = s[0][0] == "exited" and all(
                wk is not None and wk[0] == "exited" for wk in s[1])
            if not finished:
                deadlocks += 1
        for t in succ:
            if t not in seen:
                seen.add(t)
                queue.append(t)
    return len(seen), edges, deadlocks


def main(argv):
    ns = [int(a) for a in argv[1:]] or [1, 2, 3]
    for n in ns:
        states, edges, deadlocks = explore(n)
        print(f"reference N={n} states={states} transitions={edges} "
              f"deadlocks={deadlocks}")


if __name__ == "__main__":
    main(sys.argv)

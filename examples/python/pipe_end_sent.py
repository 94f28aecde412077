# A write end sent through a queue is one more copy that must be closed: unpickling a
# Connection duplicates its descriptor into the receiving process. The helper keeps the copy it
# received while it waits for the parent, so the parent's recv() never sees EOF, even after
# the parent closed its own `w`.
# expect: deadlock
from multiprocessing import Pipe, Process, Queue


def helper(ends, acks, done):
    w = ends.get()
    acks.put('got it')
    done.get()


if __name__ == '__main__':
    ends = Queue()
    acks = Queue()
    done = Queue()
    p = Process(target=helper, args=(ends, acks, done))
    p.start()
    r, w = Pipe(duplex=False)
    ends.put(w)
    acks.get()
    w.close()
    try:
        r.recv()
    except EOFError:
        print('no more messages')
    done.put('stop')
    p.join()

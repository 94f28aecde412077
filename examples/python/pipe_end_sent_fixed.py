# The fix: the helper does not hold on to the write end it received. Its copy closes when it
# ends, and then the parent's recv() raises EOFError.
# expect: ok
from multiprocessing import Pipe, Process, Queue


def helper(ends, acks):
    w = ends.get()
    acks.put('got it')


if __name__ == '__main__':
    ends = Queue()
    acks = Queue()
    p = Process(target=helper, args=(ends, acks))
    p.start()
    r, w = Pipe(duplex=False)
    ends.put(w)
    acks.get()
    w.close()
    try:
        r.recv()
    except EOFError:
        print('no more messages')
    p.join()

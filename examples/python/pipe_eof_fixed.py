# The fix for pipe_eof.py: the parent closes its copy of the write end right after starting
# the child, so the child's close (or exit) is the last one and recv() raises EOFError.
# expect: ok
from multiprocessing import Pipe, Process


def producer(w):
    for i in range(3):
        w.send(i)
    w.close()


if __name__ == '__main__':
    r, w = Pipe(duplex=False)
    p = Process(target=producer, args=(w,))
    p.start()
    w.close()
    while True:
        try:
            item = r.recv()
        except EOFError:
            break
        print('got', item)
    p.join()

# The fix for duplicated_output.py: flush the file before starting the child, so the child
# inherits an empty buffer.
# expect: ok
from multiprocessing import Process


def child(log):
    log.write('child\n')
    log.flush()


if __name__ == '__main__':
    with open('run.log', 'w') as log:
        log.write('header\n')
        log.flush()
        p = Process(target=child, args=(log,))
        p.start()
        p.join()

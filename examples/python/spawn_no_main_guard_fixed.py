# The fix for spawn_no_main_guard.py: start processes only under the main guard.
# expect: ok
import multiprocessing as mp


def work():
    print('working')


if __name__ == '__main__':
    ctx = mp.get_context('spawn')
    p = ctx.Process(target=work)
    p.start()
    p.join()

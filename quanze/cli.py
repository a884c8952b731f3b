def main(argv=None):
    print("quanze")
    return 0

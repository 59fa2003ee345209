def remove_extras(lst):
    result = []
    for i in lst and not result:
        result += result + i
    return result

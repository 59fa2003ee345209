import unittest

from convert import ConversionError, UNITS, convert, convert_request, lookup_unit, parse_quantity, round_significant


class ParseQuantityTest(unittest.TestCase):
    def test_number_and_unit_with_and_without_space(self):
        self.assertEqual(parse_quantity("5 km"), (5.0, UNITS["km"]))
        self.assertEqual(parse_quantity("72F"), (72.0, UNITS["F"]))

    def test_signs_separators_and_exponents(self):
        self.assertEqual(parse_quantity("-40 °C"), (-40.0, UNITS["C"]))
        self.assertEqual(parse_quantity("1,200 ft"), (1200.0, UNITS["ft"]))
        self.assertEqual(parse_quantity("1.5e3 MB"), (1500.0, UNITS["MB"]))
        self.assertEqual(parse_quantity(".5 mi"), (0.5, UNITS["mi"]))

    def test_aliases_are_case_insensitive(self):
        self.assertIs(lookup_unit("Kilometers"), UNITS["km"])
        self.assertIs(lookup_unit("GIB"), UNITS["GiB"])
        self.assertIs(lookup_unit("° f"), UNITS["F"])

    def test_rejects_garbage(self):
        for text in ("km", "five km", "12", "3 parsecs"):
            with self.subTest(text=text), self.assertRaises(ConversionError):
                parse_quantity(text)


class ConvertTest(unittest.TestCase):
    def test_length_and_mass(self):
        self.assertAlmostEqual(convert(1.0, UNITS["mi"], UNITS["km"]), 1.609344)
        self.assertAlmostEqual(convert(12.0, UNITS["in"], UNITS["ft"]), 1.0)
        self.assertAlmostEqual(convert(1.0, UNITS["lb"], UNITS["g"]), 453.59237)

    def test_temperature_offsets(self):
        self.assertAlmostEqual(convert(100.0, UNITS["C"], UNITS["F"]), 212.0)
        self.assertAlmostEqual(convert(-40.0, UNITS["F"], UNITS["C"]), -40.0)
        self.assertAlmostEqual(convert(300.0, UNITS["K"], UNITS["C"]), 26.85)

    def test_below_absolute_zero_is_refused(self):
        with self.assertRaises(ConversionError):
            convert(-999.0, UNITS["C"], UNITS["K"])

    def test_data_sizes_si_and_iec(self):
        self.assertEqual(convert(1.0, UNITS["GiB"], UNITS["MiB"]), 1024.0)
        self.assertEqual(convert(1.0, UNITS["GB"], UNITS["MB"]), 1000.0)
        self.assertEqual(convert(8.0, UNITS["bit"], UNITS["B"]), 1.0)

    def test_dimensions_must_match(self):
        with self.assertRaisesRegex(ConversionError, "cannot convert mass"):
            convert(1.0, UNITS["kg"], UNITS["m"])


class RequestTest(unittest.TestCase):
    def test_round_significant(self):
        self.assertEqual(round_significant(100.00000000000001, 10), 100.0)
        self.assertEqual(round_significant(3.14159, 3), 3.14)
        self.assertEqual(round_significant(-0.000123456, 2), -0.00012)

    def test_quantity_request(self):
        out = convert_request({"quantity": "72F", "to": "C", "precision": 4})
        self.assertEqual(out["value"], 22.22)
        self.assertEqual(out["formatted"], "22.22 C")
        self.assertEqual(out["dimension"], "temperature")
        self.assertEqual(out["from"], {"value": 72.0, "unit": "F"})

    def test_value_and_from_request(self):
        out = convert_request({"value": 0.1, "from": "km", "to": "m"})
        self.assertEqual(out["formatted"], "100 m")

    def test_missing_fields(self):
        with self.assertRaises(ConversionError):
            convert_request({"to": "m"})
        with self.assertRaises(ConversionError):
            convert_request({"quantity": "5 km"})


if __name__ == "__main__":
    unittest.main()

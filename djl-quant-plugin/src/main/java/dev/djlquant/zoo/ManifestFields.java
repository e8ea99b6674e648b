package dev.djlquant.zoo;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.annotations.SerializedName;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks the JSON types of a manifest's fields against the Java fields Gson fills, before Gson
 * does: Gson reports a string where an object should be with its own exception text ({@code
 * JsonNull}, {@code Expected BEGIN_OBJECT ...}) or not at all (a null element of a list becomes a
 * null entry, an unknown enum constant a null), and the manifest's checksum does not catch a
 * hand-edited manifest that was re-signed. An absent or null field is left to {@code
 * CheckpointManifest}'s completeness check, which knows which fields are required.
 */
final class ManifestFields {

    private ManifestFields() {}

    /**
     * Returns the first field whose JSON type does not fit, with what it is and what was expected
     * (e.g. {@code tensors[3] is null, expected an object}), or null if every field fits.
     */
    static String problem(JsonObject manifest) {
        return checkObject(manifest, CheckpointManifest.class, "");
    }

    private static String checkObject(JsonObject json, Class<?> type, String path) {
        for (Field f : type.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) || Modifier.isTransient(f.getModifiers())) {
                continue;
            }
            String name = FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES.translateName(f);
            JsonElement value = json.get(name);
            if (value == null || value.isJsonNull()) {
                continue;
            }
            String problem =
                    check(value, f.getGenericType(), path.isEmpty() ? name : path + "." + name);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String check(JsonElement value, Type type, String path) {
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            return checkList(value, p.getActualTypeArguments()[0], path);
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class) {
            return value.isJsonPrimitive() ? null : wrong(path, value, "a string");
        } else if (c == boolean.class || c == Boolean.class) {
            return value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean()
                    ? null
                    : wrong(path, value, "true or false");
        } else if (c.isPrimitive() || Number.class.isAssignableFrom(c)) {
            return isNumber(value) ? null : wrong(path, value, "a number");
        } else if (c.isEnum()) {
            return checkEnum(value, c, path);
        } else if (c == long[].class) {
            return checkList(value, long.class, path);
        } else if (c.isRecord()) {
            return value.isJsonObject()
                    ? checkObject(value.getAsJsonObject(), c, path)
                    : wrong(path, value, "an object");
        }
        return null;
    }

    private static String checkList(JsonElement value, Type element, String path) {
        if (!value.isJsonArray()) {
            return wrong(path, value, "an array");
        }
        JsonArray array = value.getAsJsonArray();
        for (int i = 0; i < array.size(); i++) {
            String at = path + "[" + i + "]";
            String problem =
                    array.get(i).isJsonNull()
                            ? at + " is null, expected " + expected(element)
                            : check(array.get(i), element, at);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String checkEnum(JsonElement value, Class<?> type, String path) {
        List<String> names = new ArrayList<>();
        for (Field f : type.getFields()) {
            if (f.isEnumConstant()) {
                SerializedName n = f.getAnnotation(SerializedName.class);
                names.add(n == null ? f.getName() : n.value());
            }
        }
        if (value.isJsonPrimitive() && names.contains(value.getAsString())) {
            return null;
        }
        return wrong(path, value, "one of " + names);
    }

    private static boolean isNumber(JsonElement value) {
        if (!value.isJsonPrimitive()) {
            return false;
        }
        if (value.getAsJsonPrimitive().isNumber()) {
            return true;
        }
        // Gson reads a number written as a string too; what it cannot parse is not a number.
        try {
            Double.parseDouble(value.getAsString());
            return value.getAsJsonPrimitive().isString();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String expected(Type type) {
        if (type == String.class) {
            return "a string";
        } else if (type instanceof Class<?> c
                && (c.isPrimitive() || Number.class.isAssignableFrom(c))) {
            return "a number";
        } else if (type == long[].class
                || type instanceof ParameterizedType p && p.getRawType() == List.class) {
            return "an array";
        }
        return "an object";
    }

    private static String wrong(String path, JsonElement value, String expected) {
        return path + " is " + describe(value) + ", expected " + expected;
    }

    private static String describe(JsonElement value) {
        if (value.isJsonObject()) {
            return "an object";
        } else if (value.isJsonArray()) {
            return "an array";
        } else if (value.isJsonNull()) {
            return "null";
        } else if (value.getAsJsonPrimitive().isString()) {
            String s = value.getAsString();
            return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        return value.toString().toLowerCase(Locale.ROOT);
    }
}

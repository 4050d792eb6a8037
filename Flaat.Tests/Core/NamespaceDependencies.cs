using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Flaat.Tests.Core;

/// <summary>One type of a namespace naming a type of another namespace of the same assembly.</summary>
/// <param name="FromNamespace">The namespace that depends.</param>
/// <param name="From">The (outermost) type that names <paramref name="To"/>.</param>
/// <param name="ToNamespace">The namespace depended on.</param>
/// <param name="To">The (outermost) type named.</param>
/// <param name="Via">Where it is named: a declaration, a member's signature, or a method body.</param>
internal sealed record NamespaceDependency(string FromNamespace, string From, string ToNamespace, string To, string Via)
{
    public override string ToString() => $"{From} -> {To} (in {Via})";
}

/// <summary>
/// Reads which namespaces of a compiled assembly use which others, from its metadata: base types,
/// interfaces, generic constraints, attributes, the signatures of fields, properties, events and
/// methods, and each method body's locals, caught exception types and every type, method and field
/// its IL names. Nested types, among them the compiler's closures and async state machines (where
/// method bodies end up), count for the type they are declared in. Only namespaces with the given
/// prefix are kept; references to other assemblies are left out.
/// </summary>
internal sealed class NamespaceDependencies : ISignatureTypeProvider<object?, object?>
{
    private static readonly Dictionary<short, OperandType> OperandTypes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .GroupBy(code => code.Value)
        .ToDictionary(group => group.Key, group => group.First().OperandType);

    private readonly MetadataReader _reader;
    private readonly PEReader _pe;
    private readonly string _prefix;
    private readonly HashSet<NamespaceDependency> _found = [];
    private string _fromNamespace = "";
    private string _from = "";
    private string _via = "";

    private NamespaceDependencies(PEReader pe, string prefix)
    {
        _pe = pe;
        _reader = pe.GetMetadataReader();
        _prefix = prefix;
    }

    /// <summary>Every dependency between the namespaces (starting with <paramref name="prefix"/>) of an assembly.</summary>
    public static (IReadOnlySet<string> Namespaces, IReadOnlyList<NamespaceDependency> Dependencies) Read(Assembly assembly, string prefix)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var reader = new NamespaceDependencies(pe, prefix);
        var namespaces = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in reader._reader.TypeDefinitions)
        {
            if (reader.Scan(type) is { } ns)
            {
                namespaces.Add(ns);
            }
        }

        return (namespaces, reader._found.OrderBy(found => found.ToString(), StringComparer.Ordinal).ToList());
    }

    private bool IsKept(string ns) => ns == _prefix || ns.StartsWith(_prefix + ".", StringComparison.Ordinal);

    /// <summary>Records what one type definition names; its namespace, or null when it is not kept.</summary>
    private string? Scan(TypeDefinitionHandle handle)
    {
        var owner = Outermost(handle);
        _fromNamespace = _reader.GetString(_reader.GetTypeDefinition(owner).Namespace);
        if (!IsKept(_fromNamespace))
        {
            return null;
        }

        _from = FullName(owner);
        var type = _reader.GetTypeDefinition(handle);
        _via = FullName(handle) + " declaration";
        AddEntity(type.BaseType);
        foreach (var implementation in type.GetInterfaceImplementations())
        {
            AddEntity(_reader.GetInterfaceImplementation(implementation).Interface);
        }

        AddGenericParameters(type.GetGenericParameters());
        AddAttributes(type.GetCustomAttributes());
        foreach (var fieldHandle in type.GetFields())
        {
            var field = _reader.GetFieldDefinition(fieldHandle);
            _via = $"{FullName(handle)}.{_reader.GetString(field.Name)}";
            field.DecodeSignature(this, null);
            AddAttributes(field.GetCustomAttributes());
        }

        foreach (var propertyHandle in type.GetProperties())
        {
            var property = _reader.GetPropertyDefinition(propertyHandle);
            _via = $"{FullName(handle)}.{_reader.GetString(property.Name)}";
            property.DecodeSignature(this, null);
            AddAttributes(property.GetCustomAttributes());
        }

        foreach (var eventHandle in type.GetEvents())
        {
            var @event = _reader.GetEventDefinition(eventHandle);
            _via = $"{FullName(handle)}.{_reader.GetString(@event.Name)}";
            AddEntity(@event.Type);
        }

        foreach (var method in type.GetMethods())
        {
            ScanMethod(handle, method);
        }

        return _fromNamespace;
    }

    private void ScanMethod(TypeDefinitionHandle type, MethodDefinitionHandle handle)
    {
        var method = _reader.GetMethodDefinition(handle);
        _via = $"{FullName(type)}.{_reader.GetString(method.Name)}";
        method.DecodeSignature(this, null);
        AddGenericParameters(method.GetGenericParameters());
        AddAttributes(method.GetCustomAttributes());
        foreach (var parameter in method.GetParameters())
        {
            AddAttributes(_reader.GetParameter(parameter).GetCustomAttributes());
        }

        if (method.RelativeVirtualAddress == 0)
        {
            return;
        }

        _via += " body";
        var body = _pe.GetMethodBody(method.RelativeVirtualAddress);
        if (!body.LocalSignature.IsNil)
        {
            _reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null);
        }

        foreach (var region in body.ExceptionRegions)
        {
            AddEntity(region.CatchType);
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short code = il.ReadByte();
            if (code == 0xFE)
            {
                code = unchecked((short)(0xFE00 | il.ReadByte()));
            }

            switch (OperandTypes[code])
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.ReadByte();
                    break;
                case OperandType.InlineVar:
                    il.ReadInt16();
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.ReadInt64();
                    break;
                case OperandType.InlineSwitch:
                    for (var targets = il.ReadInt32(); targets > 0; targets--)
                    {
                        il.ReadInt32();
                    }

                    break;
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType or OperandType.InlineSig:
                    AddEntity(MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                default:
                    // InlineI, InlineBrTarget, InlineString, ShortInlineR: four bytes that name no type.
                    il.ReadInt32();
                    break;
            }
        }
    }

    private void AddGenericParameters(GenericParameterHandleCollection parameters)
    {
        foreach (var parameter in parameters)
        {
            var definition = _reader.GetGenericParameter(parameter);
            foreach (var constraint in definition.GetConstraints())
            {
                AddEntity(_reader.GetGenericParameterConstraint(constraint).Type);
            }

            AddAttributes(definition.GetCustomAttributes());
        }
    }

    private void AddAttributes(CustomAttributeHandleCollection attributes)
    {
        foreach (var attribute in attributes)
        {
            AddEntity(_reader.GetCustomAttribute(attribute).Constructor);
        }
    }

    /// <summary>Records the type behind a metadata token: a type, or the type that declares a member.</summary>
    private void AddEntity(EntityHandle handle)
    {
        if (handle.IsNil)
        {
            return;
        }

        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                AddType((TypeDefinitionHandle)handle);
                break;
            case HandleKind.TypeReference:
                AddReference((TypeReferenceHandle)handle);
                break;
            case HandleKind.TypeSpecification:
                _reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                break;
            case HandleKind.MethodDefinition:
                AddType(_reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.FieldDefinition:
                AddType(_reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
                AddEntity(_reader.GetMemberReference((MemberReferenceHandle)handle).Parent);
                break;
            case HandleKind.MethodSpecification:
                var specification = _reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                AddEntity(specification.Method);
                specification.DecodeSignature(this, null);
                break;
            case HandleKind.StandaloneSignature:
                var signature = _reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                if (signature.GetKind() == StandaloneSignatureKind.Method)
                {
                    signature.DecodeMethodSignature(this, null);
                }
                else
                {
                    signature.DecodeLocalSignature(this, null);
                }

                break;
        }
    }

    private void AddType(TypeDefinitionHandle handle)
    {
        var owner = Outermost(handle);
        Add(_reader.GetString(_reader.GetTypeDefinition(owner).Namespace), FullName(owner));
    }

    private void AddReference(TypeReferenceHandle handle)
    {
        // A type of this module is named by its definition; a reference with another scope is another assembly's.
        var reference = _reader.GetTypeReference(handle);
        while (reference.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            reference = _reader.GetTypeReference((TypeReferenceHandle)reference.ResolutionScope);
        }

        if (reference.ResolutionScope.Kind == HandleKind.ModuleDefinition)
        {
            var ns = _reader.GetString(reference.Namespace);
            Add(ns, ns + "." + _reader.GetString(reference.Name));
        }
    }

    private void Add(string toNamespace, string to)
    {
        if (toNamespace != _fromNamespace && IsKept(toNamespace))
        {
            _found.Add(new NamespaceDependency(_fromNamespace, _from, toNamespace, to, _via));
        }
    }

    private TypeDefinitionHandle Outermost(TypeDefinitionHandle handle)
    {
        for (var declaring = _reader.GetTypeDefinition(handle).GetDeclaringType(); !declaring.IsNil; declaring = _reader.GetTypeDefinition(handle).GetDeclaringType())
        {
            handle = declaring;
        }

        return handle;
    }

    private string FullName(TypeDefinitionHandle handle)
    {
        var type = _reader.GetTypeDefinition(handle);
        var declaring = type.GetDeclaringType();
        return declaring.IsNil
            ? $"{_reader.GetString(type.Namespace)}.{_reader.GetString(type.Name)}".TrimStart('.')
            : $"{FullName(declaring)}+{_reader.GetString(type.Name)}";
    }

    // The signature decoder calls these for every type a signature names; only the named types matter.
    public object? GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
    {
        AddType(handle);
        return null;
    }

    public object? GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
    {
        AddReference(handle);
        return null;
    }

    public object? GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

    public object? GetArrayType(object? elementType, ArrayShape shape) => null;

    public object? GetByReferenceType(object? elementType) => null;

    public object? GetFunctionPointerType(MethodSignature<object?> signature) => null;

    public object? GetGenericInstantiation(object? genericType, ImmutableArray<object?> typeArguments) => null;

    public object? GetGenericMethodParameter(object? genericContext, int index) => null;

    public object? GetGenericTypeParameter(object? genericContext, int index) => null;

    public object? GetModifiedType(object? modifier, object? unmodifiedType, bool isRequired) => null;

    public object? GetPinnedType(object? elementType) => null;

    public object? GetPointerType(object? elementType) => null;

    public object? GetPrimitiveType(PrimitiveTypeCode typeCode) => null;

    public object? GetSZArrayType(object? elementType) => null;
}

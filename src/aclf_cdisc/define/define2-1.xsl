<?xml version="1.0" encoding="UTF-8"?>
<!--
  define2-1.xsl: renders a Define-XML 2.1 document as one readable, hyperlinked HTML page.
  Written for aclf-cdisc (XSLT 1.0, so browsers and lxml can both run it).

  Layout: study header; table of contents; standards; documents; Analysis Results Metadata
  (when present: a summary of displays and results, then one table per display, as CDISC's
  ADaM example define renders it); dataset table (each dataset links to its variable table and
  its transport file); one variable table per dataset with value-level rows nested under their
  variable; codelists; methods; comments.
  Method and comment texts are shown inline where they apply (a reviewer reads the rule beside
  the variable); ISO 8601 DataTypes carry the pattern their values follow.
  Internal links are emitted only when their target exists in this document, so every
  href="#..." on the page resolves. Anchor ids are the definitions' OIDs.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:odm="http://www.cdisc.org/ns/odm/v1.3"
    xmlns:def="http://www.cdisc.org/ns/def/v2.1"
    xmlns:xlink="http://www.w3.org/1999/xlink"
    xmlns:arm="http://www.cdisc.org/ns/arm/v1.0"
    exclude-result-prefixes="odm def xlink arm">

  <xsl:output method="html" encoding="UTF-8" indent="no" doctype-system="about:legacy-compat"/>

  <xsl:key name="item" match="odm:ItemDef" use="@OID"/>
  <xsl:key name="codelist" match="odm:CodeList" use="@OID"/>
  <xsl:key name="method" match="odm:MethodDef" use="@OID"/>
  <xsl:key name="comment" match="def:CommentDef" use="@OID"/>
  <xsl:key name="leaf" match="def:leaf" use="@ID"/>
  <xsl:key name="valuelist" match="def:ValueListDef" use="@OID"/>
  <xsl:key name="where" match="def:WhereClauseDef" use="@OID"/>
  <xsl:key name="standard" match="def:Standard" use="@OID"/>
  <xsl:key name="group" match="odm:ItemGroupDef" use="@OID"/>
  <xsl:key name="result" match="arm:AnalysisResult" use="@OID"/>

  <xsl:variable name="mdv" select="/odm:ODM/odm:Study/odm:MetaDataVersion"/>

  <!-- ===================================================================================== -->
  <xsl:template match="/">
    <html lang="en">
      <head>
        <meta charset="UTF-8"/>
        <title>
          <xsl:value-of select="/odm:ODM/odm:Study/odm:GlobalVariables/odm:StudyName"/>
          <xsl:text> - Define-XML </xsl:text>
          <xsl:value-of select="$mdv/@def:DefineVersion"/>
        </title>
        <style type="text/css">
          body { font-family: Arial, Helvetica, sans-serif; font-size: 13px; margin: 0; color: #1a1a1a; }
          nav#toc { position: fixed; top: 0; left: 0; bottom: 0; width: 230px; overflow-y: auto;
                    background: #f3f5f8; border-right: 1px solid #cfd6e0; padding: 10px; box-sizing: border-box; }
          nav#toc ul { list-style: none; padding-left: 12px; margin: 2px 0; }
          nav#toc > ul { padding-left: 0; }
          main { margin-left: 240px; padding: 10px 20px 40px 10px; }
          h1 { font-size: 20px; margin: 6px 0; }
          h2 { font-size: 16px; border-bottom: 2px solid #3b5b8c; padding-bottom: 2px; margin-top: 28px; }
          h3 { font-size: 14px; margin-top: 22px; }
          table { border-collapse: collapse; width: 100%; margin: 6px 0 12px 0; }
          th, td { border: 1px solid #b8c2d0; padding: 3px 6px; text-align: left; vertical-align: top; }
          th { background: #dfe6f0; }
          tr.vlm td { background: #fbfbf4; font-size: 12px; }
          tr.vlm td.where { padding-left: 18px; }
          .muted { color: #666; }
          .code { font-family: Consolas, "Courier New", monospace; }
          .ext { font-style: italic; }
          dl.header dt { font-weight: bold; float: left; width: 170px; }
          dl.header dd { margin-left: 180px; }
          pre { white-space: pre-wrap; margin: 2px 0; font-family: inherit; }
          pre.code { font-family: Consolas, "Courier New", monospace; background: #f6f6f6; padding: 4px; }
          .iso { color: #555; font-size: 11px; }
          .inline-text { font-size: 12px; }
          table.arm th { width: 190px; background: #eef1f6; }
          table.arm tr.result th, table.arm tr.result td { background: #dfe6f0; font-weight: bold; }
          @media print { nav#toc { display: none; } main { margin-left: 0; } }
        </style>
      </head>
      <body>
        <nav id="toc">
          <strong>Contents</strong>
          <ul>
            <li><a href="#study">Study</a></li>
            <li><a href="#standards">Standards</a></li>
            <xsl:if test="$mdv/def:AnnotatedCRF or $mdv/def:SupplementalDoc">
              <li><a href="#documents">Documents</a></li>
            </xsl:if>
            <xsl:if test="$mdv/arm:AnalysisResultDisplays">
              <li><a href="#analysis-results">Analysis Results</a>
                <ul>
                  <xsl:for-each select="$mdv/arm:AnalysisResultDisplays/arm:ResultDisplay">
                    <li><a href="#{@OID}"><xsl:value-of select="@Name"/></a></li>
                  </xsl:for-each>
                </ul>
              </li>
            </xsl:if>
            <li><a href="#datasets">Datasets</a>
              <ul>
                <xsl:for-each select="$mdv/odm:ItemGroupDef">
                  <li><a href="#{@OID}"><xsl:value-of select="@Name"/></a></li>
                </xsl:for-each>
              </ul>
            </li>
            <xsl:if test="$mdv/odm:CodeList"><li><a href="#codelists">Codelists</a></li></xsl:if>
            <xsl:if test="$mdv/odm:MethodDef"><li><a href="#methods">Methods</a></li></xsl:if>
            <xsl:if test="$mdv/def:CommentDef"><li><a href="#comments">Comments</a></li></xsl:if>
          </ul>
        </nav>
        <main>
          <xsl:call-template name="header"/>
          <xsl:call-template name="standards"/>
          <xsl:call-template name="documents"/>
          <xsl:apply-templates select="$mdv/arm:AnalysisResultDisplays"/>
          <xsl:call-template name="dataset-table"/>
          <xsl:apply-templates select="$mdv/odm:ItemGroupDef" mode="variables"/>
          <xsl:call-template name="codelists"/>
          <xsl:call-template name="methods"/>
          <xsl:call-template name="comments"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <!-- ===================================================================================== -->
  <xsl:template name="header">
    <section id="study">
      <h1>
        <xsl:value-of select="/odm:ODM/odm:Study/odm:GlobalVariables/odm:StudyName"/>
        <xsl:text>: </xsl:text>
        <xsl:value-of select="$mdv/@Name"/>
      </h1>
      <dl class="header">
        <dt>Study description</dt><dd><xsl:value-of select="/odm:ODM/odm:Study/odm:GlobalVariables/odm:StudyDescription"/></dd>
        <dt>Protocol</dt><dd><xsl:value-of select="/odm:ODM/odm:Study/odm:GlobalVariables/odm:ProtocolName"/></dd>
        <dt>Metadata version</dt><dd><xsl:value-of select="$mdv/@Description"/></dd>
        <dt>Define-XML version</dt><dd><xsl:value-of select="$mdv/@def:DefineVersion"/></dd>
        <dt>Context</dt><dd><xsl:value-of select="/odm:ODM/@def:Context"/></dd>
        <dt>Created</dt><dd><xsl:value-of select="/odm:ODM/@CreationDateTime"/></dd>
        <dt>Originator</dt><dd><xsl:value-of select="/odm:ODM/@Originator"/></dd>
        <dt>Source system</dt>
        <dd><xsl:value-of select="/odm:ODM/@SourceSystem"/><xsl:text> </xsl:text><xsl:value-of select="/odm:ODM/@SourceSystemVersion"/></dd>
      </dl>
    </section>
  </xsl:template>

  <xsl:template name="standards">
    <section id="standards">
      <h2>Standards</h2>
      <table>
        <tr><th>Standard</th><th>Type</th><th>Publishing set</th><th>Version</th><th>Status</th><th>Comment</th></tr>
        <xsl:for-each select="$mdv/def:Standards/def:Standard">
          <tr id="{@OID}">
            <td><xsl:value-of select="@Name"/></td>
            <td><xsl:value-of select="@Type"/></td>
            <td><xsl:value-of select="@PublishingSet"/></td>
            <td><xsl:value-of select="@Version"/></td>
            <td><xsl:value-of select="@Status"/></td>
            <td><xsl:call-template name="comment-link"><xsl:with-param name="oid" select="@def:CommentOID"/></xsl:call-template></td>
          </tr>
        </xsl:for-each>
      </table>
    </section>
  </xsl:template>

  <xsl:template name="documents">
    <xsl:if test="$mdv/def:AnnotatedCRF or $mdv/def:SupplementalDoc">
      <section id="documents">
        <h2>Documents</h2>
        <table>
          <tr><th>Role</th><th>Document</th></tr>
          <xsl:for-each select="$mdv/def:AnnotatedCRF/def:DocumentRef">
            <tr><td>Annotated CRF</td><td><xsl:call-template name="document-ref"/></td></tr>
          </xsl:for-each>
          <xsl:for-each select="$mdv/def:SupplementalDoc/def:DocumentRef">
            <tr><td>Supplemental document</td><td><xsl:call-template name="document-ref"/></td></tr>
          </xsl:for-each>
        </table>
      </section>
    </xsl:if>
  </xsl:template>

  <!-- ===================================================================================== -->
  <xsl:template name="dataset-table">
    <section id="datasets">
      <h2>Datasets</h2>
      <table class="datasets">
        <tr><th>Dataset</th><th>Description</th><th>Class</th><th>Structure</th><th>Purpose</th>
            <th>Keys</th><th>Location</th><th>Comment</th></tr>
        <xsl:for-each select="$mdv/odm:ItemGroupDef">
          <tr>
            <td><a href="#{@OID}"><xsl:value-of select="@Name"/></a></td>
            <td>
              <xsl:value-of select="odm:Description/odm:TranslatedText"/>
              <xsl:if test="odm:Alias[@Context='DomainDescription']">
                <span class="muted"> (<xsl:value-of select="odm:Alias[@Context='DomainDescription']/@Name"/>)</span>
              </xsl:if>
            </td>
            <td>
              <xsl:value-of select="def:Class/@Name"/>
              <xsl:for-each select="def:Class/def:SubClass">
                <xsl:text> / </xsl:text><xsl:value-of select="@Name"/>
              </xsl:for-each>
            </td>
            <td><xsl:value-of select="@def:Structure"/></td>
            <td><xsl:value-of select="@Purpose"/></td>
            <td class="code"><xsl:call-template name="keys"/></td>
            <td>
              <xsl:for-each select="def:leaf">
                <a href="{@xlink:href}"><xsl:value-of select="normalize-space(def:title)"/></a>
              </xsl:for-each>
            </td>
            <td><xsl:call-template name="comment-link"><xsl:with-param name="oid" select="@def:CommentOID"/></xsl:call-template></td>
          </tr>
        </xsl:for-each>
      </table>
    </section>
  </xsl:template>

  <xsl:template name="keys">
    <xsl:for-each select="odm:ItemRef[@KeySequence]">
      <xsl:sort select="@KeySequence" data-type="number"/>
      <xsl:if test="position() &gt; 1">, </xsl:if>
      <xsl:value-of select="key('item', @ItemOID)/@Name"/>
    </xsl:for-each>
  </xsl:template>

  <!-- ===================================================================================== -->
  <xsl:template match="odm:ItemGroupDef" mode="variables">
    <section class="dataset" id="{@OID}">
      <h3>
        <xsl:value-of select="@Name"/>
        <xsl:text> (</xsl:text><xsl:value-of select="odm:Description/odm:TranslatedText"/><xsl:text>)</xsl:text>
        <xsl:for-each select="def:leaf">
          <xsl:text> - </xsl:text><a href="{@xlink:href}"><xsl:value-of select="normalize-space(def:title)"/></a>
        </xsl:for-each>
      </h3>
      <table class="variables">
        <tr><th>Variable</th><th>Label / where</th><th>Key</th><th>Type</th><th>Length</th><th>Format</th>
            <th>Controlled terms</th><th>Origin</th><th>Method</th><th>Comment</th></tr>
        <xsl:for-each select="odm:ItemRef">
          <xsl:sort select="@OrderNumber" data-type="number"/>
          <xsl:variable name="item" select="key('item', @ItemOID)"/>
          <tr>
            <td class="code"><xsl:value-of select="$item/@Name"/></td>
            <td><xsl:value-of select="$item/odm:Description/odm:TranslatedText"/></td>
            <td><xsl:value-of select="@KeySequence"/></td>
            <td><xsl:call-template name="data-type"><xsl:with-param name="item" select="$item"/></xsl:call-template></td>
            <td><xsl:value-of select="$item/@Length"/></td>
            <td><xsl:call-template name="format"><xsl:with-param name="item" select="$item"/></xsl:call-template></td>
            <td><xsl:call-template name="codelist-link"><xsl:with-param name="item" select="$item"/></xsl:call-template></td>
            <td><xsl:apply-templates select="$item/def:Origin"/></td>
            <td><xsl:call-template name="method-link"><xsl:with-param name="oid" select="@MethodOID"/></xsl:call-template></td>
            <td><xsl:call-template name="comment-link"><xsl:with-param name="oid" select="$item/@def:CommentOID"/></xsl:call-template></td>
          </tr>
          <xsl:for-each select="key('valuelist', $item/def:ValueListRef/@ValueListOID)/odm:ItemRef">
            <xsl:sort select="@OrderNumber" data-type="number"/>
            <xsl:variable name="vitem" select="key('item', @ItemOID)"/>
            <tr class="vlm">
              <td class="code muted"><xsl:value-of select="$vitem/@Name"/></td>
              <td class="where">
                <xsl:text>&#8627; where </xsl:text>
                <xsl:for-each select="def:WhereClauseRef">
                  <xsl:if test="position() &gt; 1"><xsl:text> or </xsl:text></xsl:if>
                  <xsl:apply-templates select="key('where', @WhereClauseOID)"/>
                </xsl:for-each>
                <xsl:if test="$vitem/odm:Description/odm:TranslatedText">
                  <br/><span class="muted"><xsl:value-of select="$vitem/odm:Description/odm:TranslatedText"/></span>
                </xsl:if>
              </td>
              <td><xsl:if test="@Mandatory='Yes'">mandatory</xsl:if></td>
              <td><xsl:call-template name="data-type"><xsl:with-param name="item" select="$vitem"/></xsl:call-template></td>
              <td><xsl:value-of select="$vitem/@Length"/></td>
              <td><xsl:call-template name="format"><xsl:with-param name="item" select="$vitem"/></xsl:call-template></td>
              <td><xsl:call-template name="codelist-link"><xsl:with-param name="item" select="$vitem"/></xsl:call-template></td>
              <td><xsl:apply-templates select="$vitem/def:Origin"/></td>
              <td><xsl:call-template name="method-link"><xsl:with-param name="oid" select="@MethodOID"/></xsl:call-template></td>
              <td><xsl:call-template name="comment-link"><xsl:with-param name="oid" select="$vitem/@def:CommentOID"/></xsl:call-template></td>
            </tr>
          </xsl:for-each>
        </xsl:for-each>
      </table>
    </section>
  </xsl:template>

  <xsl:template match="def:WhereClauseDef">
    <xsl:for-each select="odm:RangeCheck">
      <xsl:if test="position() &gt; 1"><xsl:text> and </xsl:text></xsl:if>
      <span class="code"><xsl:value-of select="key('item', @def:ItemOID)/@Name"/></span>
      <xsl:text> </xsl:text>
      <xsl:choose>
        <xsl:when test="@Comparator='EQ'">=</xsl:when>
        <xsl:when test="@Comparator='NE'">&#8800;</xsl:when>
        <xsl:when test="@Comparator='IN'">in</xsl:when>
        <xsl:when test="@Comparator='NOTIN'">not in</xsl:when>
        <xsl:otherwise><xsl:value-of select="@Comparator"/></xsl:otherwise>
      </xsl:choose>
      <xsl:text> </xsl:text>
      <xsl:for-each select="odm:CheckValue">
        <xsl:if test="position() &gt; 1">, </xsl:if>
        <span class="code"><xsl:value-of select="."/></span>
      </xsl:for-each>
    </xsl:for-each>
  </xsl:template>

  <!-- the DataType, and for ISO 8601 types the pattern the values follow -->
  <xsl:template name="data-type">
    <xsl:param name="item"/>
    <xsl:variable name="type" select="$item/@DataType"/>
    <xsl:value-of select="$type"/>
    <xsl:variable name="pattern">
      <xsl:choose>
        <xsl:when test="$type='date'">YYYY-MM-DD</xsl:when>
        <xsl:when test="$type='datetime'">YYYY-MM-DDThh:mm:ss</xsl:when>
        <xsl:when test="$type='time'">hh:mm:ss</xsl:when>
        <xsl:when test="$type='partialDate'">YYYY[-MM[-DD]]</xsl:when>
        <xsl:when test="$type='partialTime'">hh[:mm[:ss]]</xsl:when>
        <xsl:when test="$type='partialDatetime'">YYYY[-MM[-DD[Thh[:mm[:ss]]]]]</xsl:when>
        <xsl:when test="$type='incompleteDatetime'">YYYY-MM-DDThh:mm:ss, unknown parts as -</xsl:when>
        <xsl:when test="$type='durationDatetime'">PnYnMnDTnHnMnS or PnW</xsl:when>
        <xsl:when test="$type='intervalDatetime'">start/end</xsl:when>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="string-length($pattern) &gt; 0">
      <br/><span class="iso" title="ISO 8601">ISO 8601 <xsl:value-of select="$pattern"/></span>
    </xsl:if>
  </xsl:template>

  <xsl:template name="format">
    <xsl:param name="item"/>
    <xsl:value-of select="$item/@def:DisplayFormat"/>
    <xsl:if test="$item/@SignificantDigits">
      <xsl:if test="$item/@def:DisplayFormat"><br/></xsl:if>
      <xsl:text>sig. digits </xsl:text><xsl:value-of select="$item/@SignificantDigits"/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="def:Origin">
    <div>
      <xsl:value-of select="@Type"/>
      <xsl:if test="@Source"><span class="muted"> (<xsl:value-of select="@Source"/>)</span></xsl:if>
      <xsl:if test="odm:Description/odm:TranslatedText">
        <xsl:text>: </xsl:text><span class="code"><xsl:value-of select="odm:Description/odm:TranslatedText"/></span>
      </xsl:if>
      <xsl:for-each select="def:DocumentRef">
        <br/><xsl:call-template name="document-ref"/>
      </xsl:for-each>
    </div>
  </xsl:template>

  <!-- ===================================================================================== -->
  <!-- links that appear only when their target exists                                       -->
  <xsl:template name="codelist-link">
    <xsl:param name="item"/>
    <xsl:variable name="oid" select="$item/odm:CodeListRef/@CodeListOID"/>
    <xsl:if test="$oid">
      <xsl:variable name="cl" select="key('codelist', $oid)"/>
      <xsl:choose>
        <xsl:when test="$cl">
          <a href="#{$oid}"><xsl:value-of select="$cl/@Name"/></a>
          <xsl:if test="$cl/odm:ExternalCodeList">
            <span class="muted"> (<xsl:value-of select="$cl/odm:ExternalCodeList/@Dictionary"/>
            <xsl:text> </xsl:text><xsl:value-of select="$cl/odm:ExternalCodeList/@Version"/>)</span>
          </xsl:if>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="$oid"/></xsl:otherwise>
      </xsl:choose>
    </xsl:if>
  </xsl:template>

  <xsl:template name="method-link">
    <xsl:param name="oid"/>
    <xsl:if test="$oid">
      <xsl:choose>
        <xsl:when test="key('method', $oid)">
          <xsl:variable name="method" select="key('method', $oid)"/>
          <div class="inline-text">
            <a href="#{$oid}"><xsl:value-of select="$method/@Name"/></a>
            <xsl:text>: </xsl:text>
            <xsl:value-of select="$method/odm:Description/odm:TranslatedText"/>
            <xsl:for-each select="$method/def:DocumentRef"><br/><xsl:call-template name="document-ref"/></xsl:for-each>
          </div>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="$oid"/></xsl:otherwise>
      </xsl:choose>
    </xsl:if>
  </xsl:template>

  <xsl:template name="comment-link">
    <xsl:param name="oid"/>
    <xsl:if test="$oid">
      <xsl:choose>
        <xsl:when test="key('comment', $oid)">
          <div class="inline-text">
            <xsl:value-of select="key('comment', $oid)/odm:Description/odm:TranslatedText"/>
            <xsl:for-each select="key('comment', $oid)/def:DocumentRef"><br/><xsl:call-template name="document-ref"/></xsl:for-each>
          </div>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="$oid"/></xsl:otherwise>
      </xsl:choose>
    </xsl:if>
  </xsl:template>

  <!-- a def:DocumentRef: the document title linked to the file, page references linked to pages -->
  <xsl:template name="document-ref">
    <xsl:variable name="leaf" select="key('leaf', @leafID)"/>
    <xsl:choose>
      <xsl:when test="$leaf">
        <a href="{$leaf/@xlink:href}"><xsl:value-of select="normalize-space($leaf/def:title)"/></a>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="@leafID"/></xsl:otherwise>
    </xsl:choose>
    <xsl:for-each select="def:PDFPageRef">
      <xsl:text> </xsl:text>
      <xsl:choose>
        <xsl:when test="@Type='NamedDestination'">
          <xsl:call-template name="page-links">
            <xsl:with-param name="href" select="$leaf/@xlink:href"/>
            <xsl:with-param name="pages" select="normalize-space(@PageRefs)"/>
            <xsl:with-param name="prefix" select="''"/>
          </xsl:call-template>
        </xsl:when>
        <xsl:when test="@FirstPage">
          <xsl:text>pages </xsl:text>
          <a href="{$leaf/@xlink:href}#page={@FirstPage}"><xsl:value-of select="@FirstPage"/></a>
          <xsl:text>-</xsl:text>
          <a href="{$leaf/@xlink:href}#page={@LastPage}"><xsl:value-of select="@LastPage"/></a>
        </xsl:when>
        <xsl:otherwise>
          <xsl:text>page </xsl:text>
          <xsl:call-template name="page-links">
            <xsl:with-param name="href" select="$leaf/@xlink:href"/>
            <xsl:with-param name="pages" select="normalize-space(@PageRefs)"/>
            <xsl:with-param name="prefix" select="'page='"/>
          </xsl:call-template>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:for-each>
  </xsl:template>

  <!-- split a space-separated PageRefs list into one link per page -->
  <xsl:template name="page-links">
    <xsl:param name="href"/>
    <xsl:param name="pages"/>
    <xsl:param name="prefix"/>
    <xsl:variable name="first">
      <xsl:choose>
        <xsl:when test="contains($pages, ' ')"><xsl:value-of select="substring-before($pages, ' ')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$pages"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="string-length($first) &gt; 0">
      <a class="page" href="{$href}#{$prefix}{$first}"><xsl:value-of select="$first"/></a>
    </xsl:if>
    <xsl:if test="contains($pages, ' ')">
      <xsl:text>, </xsl:text>
      <xsl:call-template name="page-links">
        <xsl:with-param name="href" select="$href"/>
        <xsl:with-param name="pages" select="substring-after($pages, ' ')"/>
        <xsl:with-param name="prefix" select="$prefix"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <!-- ===================================================================================== -->
  <!-- Analysis Results Metadata (ARM 1.0)                                                   -->
  <xsl:template match="arm:AnalysisResultDisplays">
    <section id="analysis-results">
      <h2>Analysis Results Metadata</h2>
      <table class="arm-summary">
        <tr><th>Display</th><th>Analysis results</th></tr>
        <xsl:for-each select="arm:ResultDisplay">
          <tr>
            <td>
              <a href="#{@OID}"><xsl:value-of select="@Name"/></a><br/>
              <span class="muted"><xsl:value-of select="odm:Description/odm:TranslatedText"/></span>
            </td>
            <td>
              <xsl:for-each select="arm:AnalysisResult">
                <div><a href="#{@OID}"><xsl:value-of select="normalize-space(odm:Description/odm:TranslatedText)"/></a></div>
              </xsl:for-each>
            </td>
          </tr>
        </xsl:for-each>
      </table>
      <xsl:apply-templates select="arm:ResultDisplay"/>
    </section>
  </xsl:template>

  <xsl:template match="arm:ResultDisplay">
    <section class="result-display" id="{@OID}">
      <h3><xsl:value-of select="@Name"/></h3>
      <table class="arm">
        <tr>
          <th>Display</th>
          <td>
            <strong><xsl:value-of select="@Name"/></strong>
            <xsl:text> </xsl:text><xsl:value-of select="odm:Description/odm:TranslatedText"/>
            <xsl:for-each select="def:DocumentRef"><br/><xsl:call-template name="document-ref"/></xsl:for-each>
          </td>
        </tr>
        <xsl:apply-templates select="arm:AnalysisResult"/>
      </table>
    </section>
  </xsl:template>

  <xsl:template match="arm:AnalysisResult">
    <tr class="result" id="{@OID}">
      <th>Analysis Result</th>
      <td><xsl:value-of select="normalize-space(odm:Description/odm:TranslatedText)"/></td>
    </tr>
    <xsl:if test="@ParameterOID">
      <tr>
        <th>Analysis Parameter(s)</th>
        <td>
          <xsl:for-each select="arm:AnalysisDatasets/arm:AnalysisDataset/def:WhereClauseRef">
            <xsl:for-each select="key('where', @WhereClauseOID)/odm:RangeCheck[@def:ItemOID=current()/ancestor::arm:AnalysisResult/@ParameterOID]">
              <div>
                <span class="code"><xsl:value-of select="key('item', @def:ItemOID)/@Name"/></span>
                <xsl:text> = </xsl:text>
                <xsl:for-each select="odm:CheckValue">
                  <xsl:if test="position() &gt; 1">, </xsl:if>
                  <span class="code"><xsl:value-of select="."/></span>
                </xsl:for-each>
              </div>
            </xsl:for-each>
          </xsl:for-each>
          <xsl:if test="not(arm:AnalysisDatasets/arm:AnalysisDataset/def:WhereClauseRef)">
            <span class="code"><xsl:value-of select="key('item', @ParameterOID)/@Name"/></span>
          </xsl:if>
        </td>
      </tr>
    </xsl:if>
    <tr>
      <th>Analysis Variable(s)</th>
      <td>
        <xsl:for-each select="arm:AnalysisDatasets/arm:AnalysisDataset/arm:AnalysisVariable">
          <div>
            <xsl:call-template name="group-link"><xsl:with-param name="oid" select="../@ItemGroupOID"/></xsl:call-template>
            <xsl:text>.</xsl:text>
            <span class="code"><xsl:value-of select="key('item', @ItemOID)/@Name"/></span>
            <xsl:text> (</xsl:text><xsl:value-of select="key('item', @ItemOID)/odm:Description/odm:TranslatedText"/><xsl:text>)</xsl:text>
          </div>
        </xsl:for-each>
      </td>
    </tr>
    <tr><th>Analysis Reason</th><td><xsl:value-of select="@AnalysisReason"/></td></tr>
    <tr><th>Analysis Purpose</th><td><xsl:value-of select="@AnalysisPurpose"/></td></tr>
    <tr>
      <th>Data References (incl. Selection Criteria)</th>
      <td>
        <xsl:for-each select="arm:AnalysisDatasets/arm:AnalysisDataset">
          <div>
            <xsl:call-template name="group-link"><xsl:with-param name="oid" select="@ItemGroupOID"/></xsl:call-template>
            <xsl:for-each select="def:WhereClauseRef">
              <xsl:text> [</xsl:text><xsl:apply-templates select="key('where', @WhereClauseOID)"/><xsl:text>]</xsl:text>
            </xsl:for-each>
          </div>
        </xsl:for-each>
        <xsl:call-template name="comment-link"><xsl:with-param name="oid" select="arm:AnalysisDatasets/@def:CommentOID"/></xsl:call-template>
      </td>
    </tr>
    <xsl:if test="arm:Documentation">
      <tr>
        <th>Documentation</th>
        <td>
          <pre><xsl:value-of select="normalize-space(arm:Documentation/odm:Description/odm:TranslatedText)"/></pre>
          <xsl:for-each select="arm:Documentation/def:DocumentRef"><div><xsl:call-template name="document-ref"/></div></xsl:for-each>
        </td>
      </tr>
    </xsl:if>
    <xsl:if test="arm:ProgrammingCode">
      <tr>
        <th>Programming Statements</th>
        <td>
          <xsl:if test="arm:ProgrammingCode/@Context">
            <div class="muted">[<xsl:value-of select="arm:ProgrammingCode/@Context"/>]</div>
          </xsl:if>
          <xsl:if test="arm:ProgrammingCode/arm:Code">
            <pre class="code"><xsl:value-of select="arm:ProgrammingCode/arm:Code"/></pre>
          </xsl:if>
          <xsl:for-each select="arm:ProgrammingCode/def:DocumentRef"><div><xsl:call-template name="document-ref"/></div></xsl:for-each>
        </td>
      </tr>
    </xsl:if>
  </xsl:template>

  <xsl:template name="group-link">
    <xsl:param name="oid"/>
    <xsl:choose>
      <xsl:when test="key('group', $oid)"><a href="#{$oid}"><xsl:value-of select="key('group', $oid)/@Name"/></a></xsl:when>
      <xsl:otherwise><xsl:value-of select="$oid"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- ===================================================================================== -->
  <xsl:template name="codelists">
    <xsl:if test="$mdv/odm:CodeList">
      <section id="codelists">
        <h2>Codelists</h2>
        <xsl:for-each select="$mdv/odm:CodeList">
          <div class="codelist" id="{@OID}">
            <h3>
              <xsl:value-of select="@Name"/>
              <span class="muted">
                <xsl:text> [</xsl:text><xsl:value-of select="@OID"/><xsl:text>, </xsl:text>
                <xsl:value-of select="@DataType"/>
                <xsl:if test="odm:Alias[@Context='nci:ExtCodeID']">
                  <xsl:text>, NCI </xsl:text><xsl:value-of select="odm:Alias[@Context='nci:ExtCodeID']/@Name"/>
                </xsl:if>
                <xsl:if test="@def:StandardOID and key('standard', @def:StandardOID)">
                  <xsl:text>, </xsl:text>
                  <xsl:value-of select="key('standard', @def:StandardOID)/@Name"/><xsl:text> </xsl:text>
                  <xsl:value-of select="key('standard', @def:StandardOID)/@Version"/>
                </xsl:if>
                <xsl:text>]</xsl:text>
              </span>
            </h3>
            <xsl:choose>
              <xsl:when test="odm:ExternalCodeList">
                <p>External dictionary: <xsl:value-of select="odm:ExternalCodeList/@Dictionary"/>
                  <xsl:text> version </xsl:text><xsl:value-of select="odm:ExternalCodeList/@Version"/>
                  <xsl:if test="odm:ExternalCodeList/@href">
                    <xsl:text> </xsl:text><a href="{odm:ExternalCodeList/@href}"><xsl:value-of select="odm:ExternalCodeList/@href"/></a>
                  </xsl:if>
                </p>
              </xsl:when>
              <xsl:otherwise>
                <table class="terms">
                  <tr><th>Coded value</th><th>Decode</th><th>NCI code</th></tr>
                  <xsl:for-each select="odm:CodeListItem | odm:EnumeratedItem">
                    <tr>
                      <td class="code">
                        <xsl:value-of select="@CodedValue"/>
                        <xsl:if test="@def:ExtendedValue='Yes'"><span class="ext muted"> (sponsor extension)</span></xsl:if>
                      </td>
                      <td><xsl:value-of select="odm:Decode/odm:TranslatedText"/></td>
                      <td><xsl:value-of select="odm:Alias[@Context='nci:ExtCodeID']/@Name"/></td>
                    </tr>
                  </xsl:for-each>
                </table>
              </xsl:otherwise>
            </xsl:choose>
          </div>
        </xsl:for-each>
      </section>
    </xsl:if>
  </xsl:template>

  <xsl:template name="methods">
    <xsl:if test="$mdv/odm:MethodDef">
      <section id="methods">
        <h2>Methods</h2>
        <table>
          <tr><th>Method</th><th>Type</th><th>Description</th></tr>
          <xsl:for-each select="$mdv/odm:MethodDef">
            <tr id="{@OID}">
              <td><xsl:value-of select="@Name"/><br/><span class="muted code"><xsl:value-of select="@OID"/></span></td>
              <td><xsl:value-of select="@Type"/></td>
              <td>
                <pre><xsl:value-of select="odm:Description/odm:TranslatedText"/></pre>
                <xsl:for-each select="odm:FormalExpression">
                  <div class="muted">
                    <xsl:value-of select="@Context"/><xsl:text>: </xsl:text>
                    <span class="code"><xsl:value-of select="."/></span>
                  </div>
                </xsl:for-each>
                <xsl:for-each select="def:DocumentRef"><div><xsl:call-template name="document-ref"/></div></xsl:for-each>
              </td>
            </tr>
          </xsl:for-each>
        </table>
      </section>
    </xsl:if>
  </xsl:template>

  <xsl:template name="comments">
    <xsl:if test="$mdv/def:CommentDef">
      <section id="comments">
        <h2>Comments</h2>
        <table>
          <tr><th>Comment</th><th>Description</th></tr>
          <xsl:for-each select="$mdv/def:CommentDef">
            <tr id="{@OID}">
              <td class="code"><xsl:value-of select="@OID"/></td>
              <td>
                <pre><xsl:value-of select="odm:Description/odm:TranslatedText"/></pre>
                <xsl:for-each select="def:DocumentRef"><div><xsl:call-template name="document-ref"/></div></xsl:for-each>
              </td>
            </tr>
          </xsl:for-each>
        </table>
      </section>
    </xsl:if>
  </xsl:template>

</xsl:stylesheet>
